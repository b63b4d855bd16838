import { describe, expect, test } from 'vitest'
import { fixtureNamed } from '../../test/fixture.ts'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { detect } from '../index.ts'

const noProgress = (trace: Parameters<typeof detect>[0]) => detect(trace, { detectors: ['no-progress'] }).flags

describe('no-progress detector', () => {
  test('different actions, the same observed state; the decisive step is the first action that changed nothing', () => {
    const [flag] = noProgress(fixtureNamed('no progress: clicks and scrolls leave the page as it was').trace)
    expect(flag).toMatchObject({ kind: 'no-progress', mastMode: '1.5 unaware of termination conditions', agent: 'browser', spanIds: ['s2', 's1', 's3', 's4'] })
    expect(flag!.message).toBe('browser took 4 different actions (open, click, scroll) and the state it observed did not change.')
    expect(flag!.evidence[0]).toContain('vendor.example.com/pricing')
  })

  test('errors are states too: three paths, the same "file not found"', () => {
    expect(noProgress(fixtureNamed('no progress: different paths, the same missing file').trace)[0]).toMatchObject({ agent: 'ops', spanIds: ['s2', 's1', 's3'] })
  })

  test('does not fire when each action changes what the agent sees', () => {
    expect(noProgress(fixtureNamed('near miss: each action changes what the agent sees').trace)).toEqual([])
  })

  test('does not fire on one call repeated (a loop), nor on two unchanged actions', () => {
    const repeated = new TraceBuilder('Is the API up?')
    for (let i = 0; i < 3; i++) repeated.tool('ops', 'ping', { host: 'api' }, { up: false })
    expect(noProgress(repeated.end('no'))).toEqual([])
    const two = new TraceBuilder('Is the API up?')
    two.tool('ops', 'ping', { host: 'api' }, { up: false })
    two.tool('ops', 'curl', { url: 'https://api.example.com/health' }, { up: false })
    expect(noProgress(two.end('no'))).toEqual([])
  })
})
