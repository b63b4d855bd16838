// What loading a cassette costs: `readCassetteFile` (strict UTF-8, duplicate keys, numbers and
// nesting checked, then the schema) against the floor of reading the file and `JSON.parse`,
// on large cassettes made of the 200-event stream fixture. Interleaved rounds, median.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readCassetteFile, writeCassetteFile, type Cassette } from '@retrace/cassettes'
import type { BenchContext } from './fixtures.ts'
import { median, target, type MeasurementReport } from './harness.ts'

/**
 * Cassette load time (µs per load) at 4 MB and 20 MB, floor and Retrace, with the ratio.
 * Target: readCassetteFile at most 3× the floor (a parse is once per file).
 *
 * @example
 * const report = await cassetteLoad(ctx)
 */
export async function cassetteLoad(ctx: BenchContext): Promise<MeasurementReport> {
  const stream = readCassetteFile(ctx.cassettes.sse)!
  const rounds = ctx.quick ? 2 : 7
  const rows: MeasurementReport['rows'] = []
  const ratios: number[] = []
  for (const megabytes of [4, 20]) {
    const interactionBytes = readFileSync(ctx.cassettes.sse).length
    const cassette: Cassette = { ...stream, interactions: [] }
    while (cassette.interactions.length * interactionBytes < megabytes * 1e6) cassette.interactions.push(structuredClone(stream.interactions[0]!))
    const file = join(ctx.tmp, `load-${megabytes}mb.cassette.json`)
    await writeCassetteFile(file, cassette, { scanForSecrets: false })
    const floor: number[] = []
    const retrace: number[] = []
    const time = (fn: () => unknown) => {
      const started = performance.now()
      fn()
      return (performance.now() - started) * 1000
    }
    for (let round = 0; round < rounds + 1; round++) {
      const f = time(() => JSON.parse(readFileSync(file, 'utf8')))
      const r = time(() => readCassetteFile(file))
      // Round 0 warms the JIT up.
      if (round === 0) continue
      floor.push(f)
      retrace.push(r)
      ratios.push(r / f)
    }
    const size = `${(readFileSync(file).length / 1e6).toFixed(1)} MB`
    ctx.log(`  ${size}: floor ${(median(floor) / 1000).toFixed(1)} ms, readCassetteFile ${(median(retrace) / 1000).toFixed(1)} ms`)
    const row = (name: string, values: number[]) => ({ name: `${name} (${size})`, n: values.length, mean: median(values), p50: median(values), p99: Math.max(...values), rounds: [] })
    rows.push(row('readFileSync + JSON.parse', floor), row('readCassetteFile', retrace))
  }
  const ratio = median(ratios)
  return {
    id: 'cassette-load',
    title: 'Loading a cassette (µs per load)',
    unit: 'µs/call',
    notes: ['Cassettes of repeated 200-event streams; the floor reads and JSON.parses the file; readCassetteFile adds the strict checks and the schema. Median of interleaved rounds.'],
    rows,
    ratios: [{ label: 'readCassetteFile/floor', value: ratio, stat: 'mean' }],
    targets: [target('readCassetteFile/floor', ratio, '<=', 3)],
  }
}
