// Compares two full bench runs (`bench/results.json` files): the ratios to the anchors run in
// the same process (what moves least between runs on a shared machine), the targets, and each
// row's mean. Usage: `npm run bench:compare -- <git-ref | before.json> [after.json]`; the
// second defaults to bench/results.json (the last full run).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { MeasurementReport } from './harness.ts'

/** The part of a `results.json` a comparison reads. */
export interface BenchResults {
  generatedAt: string
  measurements: MeasurementReport[]
  targets: Array<{ measurement: string; label: string; value: number; goal: string; pass: boolean }>
}

/** A change smaller than this (after/before of a ratio) is called noise: rounds of one run vary by about as much. */
export const NOISE = 0.25

const fmt = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2))
const verdict = (change: number) => (Math.abs(change - 1) <= NOISE ? 'within noise' : change < 1 ? 'lower' : 'higher')

/**
 * Markdown tables comparing two runs: only what both measured, in the order of the later run.
 *
 * @example
 * const run = (generatedAt: string, ratio: number, mean: number): BenchResults => ({
 *   generatedAt,
 *   targets: [{ measurement: 'replay-json', label: 'retrace/floor', value: ratio, goal: '≤ 2×', pass: ratio <= 2 }],
 *   measurements: [{ id: 'replay-json', title: 'Replay', unit: 'µs/call', notes: [], rows: [{ name: 'retrace', n: 1000, mean, p50: mean, p99: mean, rounds: [] }], ratios: [{ label: 'retrace/floor', value: ratio, stat: 'mean' }], targets: [] }],
 * })
 * const lines = compareResults(run('2026-11-22', 1.3, 32), run('2026-12-05', 1.35, 30))
 * lines.includes('| replay-json | retrace/floor | 1.30 | 1.35 | 1.04 | within noise |') // → true
 * lines.includes('| replay-json | retrace | 32.0 | 30.0 | 0.94 |') // → true
 */
export function compareResults(before: BenchResults, after: BenchResults): string[] {
  const earlier = new Map(before.measurements.map((report) => [report.id, report]))
  const lines = [`Before: ${before.generatedAt} · after: ${after.generatedAt}.`, '', '| measurement | ratio | before | after | after/before | |', '|---|---|---:|---:|---:|---|']
  for (const report of after.measurements) {
    const old = earlier.get(report.id)
    for (const ratio of report.ratios) {
      const was = old?.ratios.find((item) => item.label === ratio.label)
      if (was) lines.push(`| ${report.id} | ${ratio.label} | ${fmt(was.value)} | ${fmt(ratio.value)} | ${fmt(ratio.value / was.value)} | ${verdict(ratio.value / was.value)} |`)
    }
  }
  lines.push('', '| measurement | target | before | after | goal | passes |', '|---|---|---:|---:|---|---|')
  for (const target of after.targets) {
    const was = before.targets.find((item) => item.measurement === target.measurement && item.label === target.label)
    if (was) lines.push(`| ${target.measurement} | ${target.label} | ${fmt(was.value)} | ${fmt(target.value)} | ${target.goal} | ${was.pass ? 'yes' : 'no'} → ${target.pass ? 'yes' : 'no'} |`)
  }
  lines.push('', '| measurement | row | before mean | after mean | after/before |', '|---|---|---:|---:|---:|')
  for (const report of after.measurements) {
    const old = earlier.get(report.id)
    for (const row of report.rows) {
      const was = old?.rows.find((item) => item.name === row.name)
      if (was && was.mean > 0) lines.push(`| ${report.id} | ${row.name} | ${fmt(was.mean)} | ${fmt(row.mean)} | ${fmt(row.mean / was.mean)} |`)
    }
  }
  return lines
}

/**
 * Reads a results file, or `bench/results.json` as it was at a git commit; a source that is
 * neither, or does not parse, is a one-line error naming it.
 */
function readResults(source: string): BenchResults {
  let text: string
  if (existsSync(source)) text = readFileSync(source, 'utf8')
  else {
    try {
      text = execFileSync('git', ['show', `${source}:bench/results.json`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('..', import.meta.url)) })
    } catch {
      throw new Error(`${source} is neither a results file nor a git commit with bench/results.json: pass a path, or a ref such as HEAD~3 (git log -- bench/results.json lists them)`)
    }
  }
  try {
    return JSON.parse(text) as BenchResults
  } catch {
    throw new Error(`${source}: bench results are not JSON; pass a results.json that npm run bench wrote`)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [beforeSource, afterSource = fileURLToPath(new URL('results.json', import.meta.url))] = process.argv.slice(2)
  if (!beforeSource) {
    console.error('usage: npm run bench:compare -- <git-ref | before.json> [after.json]')
    process.exit(2)
  }
  try {
    console.log(compareResults(readResults(beforeSource), readResults(afterSource)).join('\n'))
  } catch (error) {
    console.error(`bench:compare: ${(error as Error).message}`)
    process.exit(2)
  }
}
