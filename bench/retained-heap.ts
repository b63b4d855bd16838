// Measurement 4: heap retained per replayed call after 10,000 calls (the research found
// msw 3 and nock 15 keep ~44 KB per call, i.e. hundreds of MB per long test file).
import { count, type BenchContext } from './fixtures.ts'
import { measureRetention, target, type MeasurementReport, type ReportRow } from './harness.ts'
import { jsonReplaySubjects } from './replay-json.ts'

/**
 * Retained heap per call for the JSON replay of measurement 1 (same set-up, same call):
 * floor, Retrace, msw 3, nock 15. GC before and after (`--expose-gc`), heapUsed delta / N,
 * measured while the tool is applied and again after it was stopped. Target: Retrace < 2 KB.
 */
export async function retainedHeap(ctx: BenchContext): Promise<MeasurementReport> {
  const calls = count(ctx, 10_000)
  const s = jsonReplaySubjects(ctx)
  const rows: ReportRow[] = []
  for (const subject of [s.floor, s.retrace, s.msw, s.nock]) {
    const retention = await measureRetention(subject.start, { calls, warmup: count(ctx, 300) })
    ctx.log(`  ${subject.name.padEnd(34)} ${retention.kbPerCall.toFixed(2)} KB/call (after stop ${retention.kbPerCallAfterStop.toFixed(2)}), heap ${retention.heapBeforeMB.toFixed(0)} → ${retention.heapAfterMB.toFixed(0)} MB, ${retention.meanUs.toFixed(0)} µs/call`)
    rows.push({
      name: subject.name,
      n: calls,
      mean: retention.meanUs,
      p50: Number.NaN,
      p99: Number.NaN,
      rounds: [],
      retainedKBPerCall: retention.kbPerCall,
      retainedKBPerCallAfterStop: retention.kbPerCallAfterStop,
      extra: { heapBeforeMB: retention.heapBeforeMB, heapAfterMB: retention.heapAfterMB },
    })
  }
  const kb = (name: string) => rows.find((row) => row.name === name)!.retainedKBPerCall!
  const retrace = kb(s.retrace.name)
  // Ratios of tiny numbers are meaningless: floor Retrace's at 0.1 KB for them.
  const denominator = Math.max(retrace, 0.1)
  return {
    id: 'retained-heap',
    title: `Heap retained per call after ${calls.toLocaleString('en')} replayed JSON calls`,
    unit: 'KB/call',
    notes: [
      'One run per tool (retention is steady, unlike timing). Warm-up calls first, then full GC, heapUsed, N calls, full GC, heapUsed; "after stop" is measured again after the tool was stopped/disposed.',
      'mean is the wall time per call over the whole run, GC pressure included; p50/p99 are not sampled here.',
      'Ratios use max(retrace, 0.1 KB) as denominator.',
    ],
    rows,
    ratios: [
      { label: 'msw/max(retrace,0.1KB)', value: kb(s.msw.name) / denominator, stat: 'retained' },
      { label: 'nock/max(retrace,0.1KB)', value: kb(s.nock.name) / denominator, stat: 'retained' },
    ],
    targets: [target('retrace retained KB/call', retrace, '<', 2, ' KB')],
  }
}
