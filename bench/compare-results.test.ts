import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { compareResults, type BenchResults } from './compare-results.ts'

const run = (generatedAt: string, ratio: number, mean: number, pass = true): BenchResults => ({
  generatedAt,
  targets: [{ measurement: 'replay-json', label: 'retrace/floor', value: ratio, goal: '≤ 2×', pass }],
  measurements: [
    {
      id: 'replay-json', title: 'Replay', unit: 'µs/call', notes: [], targets: [],
      rows: [{ name: 'retrace', n: 1000, mean, p50: mean, p99: mean, rounds: [] }],
      ratios: [{ label: 'retrace/floor', value: ratio, stat: 'mean' }],
    },
  ],
})

test('a ratio that moved less than the noise is called so; one that moved more says which way', () => {
  expect(compareResults(run('a', 1.3, 32), run('b', 1.35, 30))).toContain('| replay-json | retrace/floor | 1.30 | 1.35 | 1.04 | within noise |')
  expect(compareResults(run('a', 1.3, 32), run('b', 2.6, 64, false))).toContain('| replay-json | retrace/floor | 1.30 | 2.60 | 2.00 | higher |')
  expect(compareResults(run('a', 1.3, 32), run('b', 2.6, 64, false))).toContain('| replay-json | retrace/floor | 1.30 | 2.60 | ≤ 2× | yes → no |')
  expect(compareResults(run('a', 1.3, 32), run('b', 1.35, 30))).toContain('| replay-json | retrace | 32.0 | 30.0 | 0.94 |')
})

test('measurements only one run has are left out, not compared with nothing', () => {
  const after = run('b', 1.3, 30)
  after.measurements.push({ ...after.measurements[0]!, id: 'server', ratios: [{ label: 'sqlite/ceiling', value: 0.6, stat: 'mean' }] })
  const lines = compareResults(run('a', 1.3, 32), after)
  expect(lines.some((line) => line.startsWith('| server'))).toBe(false)
})

test('a source that is neither a results file nor a commit is a one-line error and exit 2, not a stack trace', () => {
  const run = spawnSync(process.execPath, ['--conditions=@retrace/source', join(import.meta.dirname, 'compare-results.ts'), 'no-such-ref'], { encoding: 'utf8' })
  expect(run.status).toBe(2)
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bench:compare: no-such-ref is neither a results file nor a git commit/)])
})
