import { describe, expect, test } from 'vitest'
import { detect } from '../src/index.ts'
import { syntheticTraces } from './synthetic-traces.ts'

// Every hand-written run gets exactly the flags it shows: each failure is found, and no
// detector fires on a near-miss or on another failure's run (precision 1.0 on these).
describe('the synthetic fixtures', () => {
  test.each(syntheticTraces().map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
    const kinds = [...new Set(detect(fixture.trace).flags.map((flag) => flag.kind))].sort()
    expect(kinds).toEqual([...fixture.expect].sort())
  })

  test('cover every detector with at least three runs that show it', () => {
    const counts = new Map<string, number>()
    for (const fixture of syntheticTraces()) for (const kind of fixture.expect) counts.set(kind, (counts.get(kind) ?? 0) + 1)
    for (const kind of ['ping-pong', 'loop', 'no-progress', 'reasoning-action-mismatch', 'task-derailment', 'premature-termination', 'missing-verification']) {
      expect(counts.get(kind) ?? 0, kind).toBeGreaterThanOrEqual(3)
    }
  })
})
