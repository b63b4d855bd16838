// A small timing harness: sequential calls, per-call wall time, percentiles, rounds that
// interleave the tools (so a noisy moment hurts every tool alike), and heap retention.
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'

/** Per-unit timing in microseconds (a unit is a call, or one event of a stream). */
export interface Stats {
  /** Timed calls. */
  n: number
  mean: number
  p50: number
  p99: number
}

/** A tool made ready for one measurement: `call` is one timed operation, `stop` undoes the set-up. */
export interface Running {
  call: () => Promise<unknown>
  /** Releases everything `start` applied; may return extra figures to report (e.g. write time). */
  stop: () => Promise<Record<string, number> | void>
}

/** One row of a comparison. */
export interface Subject {
  name: string
  start: () => Promise<Running>
  /** Overrides the measurement's counts for slow tools (they need fewer samples for a stable median). */
  iterations?: number
  warmup?: number
  /** Take part in only this many of the rounds, spread evenly (slow tools far from any threshold). */
  rounds?: number
}

export interface CompareOptions {
  rounds: number
  warmup: number
  iterations: number
  /** Divides each call's time (200 for "per event" of a 200-event stream). Default 1. */
  unitsPerCall?: number
}

/** One round's figures, with the round's index (ratios pair subjects round by round). */
export interface RoundStats extends Stats {
  round: number
}

/** A subject's results: every round, and the median of each figure over the rounds. */
export interface SubjectResult {
  name: string
  rounds: RoundStats[]
  median: Stats
  /** Medians of what `stop` reported. */
  extra: Record<string, number>
}

const gc = (globalThis as { gc?: (options?: { type: 'major' | 'minor' }) => void }).gc

function requireGc(): NonNullable<typeof gc> {
  if (!gc) throw new Error('Run with node --expose-gc (npm run bench does).')
  return gc
}

function gcMinor(): void {
  requireGc()({ type: 'minor' })
}

/**
 * Collects garbage until the heap stops shrinking by more than 1 MB (weak references and
 * finalizers need a turn of the event loop between passes); at most 3 passes, each of which
 * takes up to a second on a heap msw/nock have grown past 1 GB. Needs `node --expose-gc`.
 */
export async function fullGc(): Promise<void> {
  const collect = requireGc()
  let previous = Number.POSITIVE_INFINITY
  for (let pass = 0; pass < 3; pass++) {
    collect()
    await new Promise((resolve) => setImmediate(resolve))
    const used = process.memoryUsage().heapUsed
    if (used >= previous - 1024 * 1024) break
    previous = used
  }
}

/** The value below which `q` of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

/** The median of some numbers (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Times `call` sequentially: `warmup` untimed calls (JIT, caches, connection pools), then
 * `iterations` timed ones. Young garbage left by the warm-up is collected first; the
 * collections the timed calls cause are charged to them, as in real use.
 */
export async function timeCalls(call: () => Promise<unknown>, options: { warmup: number; iterations: number; unitsPerCall?: number }): Promise<Stats> {
  for (let i = 0; i < options.warmup; i++) await call()
  // Clear the young garbage the warm-up (or the previous subject) left. A major GC here
  // would cost up to a second per subject once msw/nock have bloated the heap.
  gcMinor()
  const samples = new Float64Array(options.iterations)
  for (let i = 0; i < options.iterations; i++) {
    const started = performance.now()
    await call()
    samples[i] = performance.now() - started
  }
  return summarize(Array.from(samples), options.unitsPerCall ?? 1)
}

/** Turns per-call milliseconds into per-unit microsecond statistics. */
export function summarize(samplesMs: readonly number[], unitsPerCall = 1): Stats {
  const scale = 1000 / unitsPerCall
  const sorted = samplesMs.map((ms) => ms * scale).sort((a, b) => a - b)
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length
  return { n: sorted.length, mean, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
}

/**
 * Runs every subject `rounds` times, interleaved (round 1 of each, then round 2, …), each
 * in isolation: start → time → stop, checking that the process's HTTP globals are back to
 * their originals before the next one starts.
 */
export async function compareSubjects(subjects: readonly Subject[], options: CompareOptions, log: (line: string) => void = () => {}): Promise<SubjectResult[]> {
  const byName = new Map<string, { rounds: RoundStats[]; extras: Array<Record<string, number>> }>()
  for (const subject of subjects) byName.set(subject.name, { rounds: [], extras: [] })
  for (let round = 0; round < options.rounds; round++) {
    for (const subject of subjects) {
      if (!takesPart(subject, round, options.rounds, byName.get(subject.name)!.rounds.length)) continue
      assertGlobalsRestored(`before ${subject.name}`)
      const running = await subject.start()
      let stats: Stats
      try {
        stats = await timeCalls(running.call, {
          warmup: subject.warmup ?? options.warmup,
          iterations: subject.iterations ?? options.iterations,
          unitsPerCall: options.unitsPerCall ?? 1,
        })
      } finally {
        const extra = await running.stop()
        byName.get(subject.name)!.extras.push(extra ?? {})
      }
      assertGlobalsRestored(`after ${subject.name}`)
      byName.get(subject.name)!.rounds.push({ ...stats, round })
      log(`  round ${round + 1}/${options.rounds} ${subject.name.padEnd(34)} mean ${fmt(stats.mean)} p50 ${fmt(stats.p50)} p99 ${fmt(stats.p99)} µs`)
    }
  }
  return subjects.map((subject) => {
    const { rounds, extras } = byName.get(subject.name)!
    const extra: Record<string, number> = {}
    for (const key of new Set(extras.flatMap((e) => Object.keys(e)))) extra[key] = median(extras.map((e) => e[key] ?? Number.NaN))
    return {
      name: subject.name,
      rounds,
      median: { n: rounds[0]?.n ?? 0, mean: median(rounds.map((r) => r.mean)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)) },
      extra,
    }
  })
}

function takesPart(subject: Subject, round: number, total: number, done: number): boolean {
  if (subject.rounds === undefined || subject.rounds >= total) return true
  const every = Math.max(1, Math.round(total / subject.rounds))
  return round % every === 0 && done < subject.rounds
}

/**
 * `a / b` for one statistic, computed round by round (both ran seconds apart, in the same
 * process) over the rounds both took part in, then the median: steadier than a ratio of
 * medians on a noisy machine.
 */
export function ratio(a: SubjectResult, b: SubjectResult, stat: 'mean' | 'p50' = 'mean'): number {
  const values: number[] = []
  for (const ra of a.rounds) {
    const rb = b.rounds.find((r) => r.round === ra.round)
    if (rb) values.push(ra[stat] / rb[stat])
  }
  return median(values)
}

/** What a heap-retention run found. */
export interface Retention {
  calls: number
  /** Heap growth per call while the tool is still applied, after a full GC. */
  kbPerCall: number
  /** The same, after the tool was stopped/disposed: memory the tool never gives back. */
  kbPerCallAfterStop: number
  heapBeforeMB: number
  heapAfterMB: number
  /** Mean wall time per call over the whole run (informative; GC pressure included). */
  meanUs: number
}

/**
 * Measures heap retained by `calls` sequential calls: GC, heapUsed, run, GC, heapUsed; then
 * stops the tool and measures again. Warm-up calls first, so lazily built caches (compiled
 * code, interned strings, a tool's one-off set-up) are not charged per call.
 */
export async function measureRetention(start: () => Promise<Running>, options: { calls: number; warmup: number }): Promise<Retention> {
  assertGlobalsRestored('before retention run')
  const running = await start()
  for (let i = 0; i < options.warmup; i++) await running.call()
  await fullGc()
  const before = process.memoryUsage().heapUsed
  const started = performance.now()
  for (let i = 0; i < options.calls; i++) await running.call()
  const elapsed = performance.now() - started
  await fullGc()
  const after = process.memoryUsage().heapUsed
  await running.stop()
  // The heap was just settled: one pass collects what stopping released (a full settle
  // costs seconds on the heap msw/nock leave behind).
  requireGc()()
  await new Promise((resolve) => setImmediate(resolve))
  const afterStop = process.memoryUsage().heapUsed
  assertGlobalsRestored('after retention run')
  return {
    calls: options.calls,
    kbPerCall: (after - before) / 1024 / options.calls,
    kbPerCallAfterStop: (afterStop - before) / 1024 / options.calls,
    heapBeforeMB: before / 1048576,
    heapAfterMB: after / 1048576,
    meanUs: (elapsed * 1000) / options.calls,
  }
}

// The process-wide hooks the tools patch. Each tool must put all of them back on stop, or
// the next tool would be measured through the previous one's interception.
function snapshotGlobals(): Record<string, unknown> {
  const slots = globalThis as unknown as Record<symbol, unknown>
  return {
    fetch: globalThis.fetch,
    'http.request': http.request,
    'http.get': http.get,
    'http.ClientRequest': http.ClientRequest,
    'https.request': https.request,
    'https.get': https.get,
    'net.Socket.prototype.connect': net.Socket.prototype.connect,
    'undici.globalDispatcher.1': slots[Symbol.for('undici.globalDispatcher.1')],
    'undici.globalDispatcher.2': slots[Symbol.for('undici.globalDispatcher.2')],
  }
}

let pristine: Record<string, unknown> | undefined

/**
 * Records the untouched HTTP globals. Call once, after every tool is imported (importing
 * nock activates it; bench/competitors.ts turns it off again) and before any tool starts.
 */
export function captureGlobals(): void {
  pristine = snapshotGlobals()
}

/** Throws if a tool left any HTTP global patched. */
export function assertGlobalsRestored(when: string): void {
  if (!pristine) return
  const now = snapshotGlobals()
  for (const key of Object.keys(pristine)) {
    // undici creates its global dispatcher lazily on first use: a slot going from empty to
    // undici's own Agent is not a patch (adopt it); going to a Retrace wrapper is.
    const value = now[key] as Record<symbol, unknown> | undefined
    if (key.startsWith('undici.') && pristine[key] === undefined && value && !value[Symbol.for('retrace.interceptedDispatcher')]) pristine[key] = value
  }
  const changed = Object.keys(pristine).filter((key) => pristine![key] !== now[key])
  if (changed.length > 0) throw new Error(`Isolation broken ${when}: ${changed.join(', ')} still patched.`)
}

/** Formats a figure with about three significant digits. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2)
}

// ---- Report shapes (what bench/results.json holds) ----

/** One tool's figures in a measurement. Times are µs per unit (call or event). */
export interface ReportRow {
  name: string
  n: number
  mean: number
  p50: number
  p99: number
  /** Each round's figures, for judging the noise. */
  rounds: RoundStats[]
  retainedKBPerCall?: number
  retainedKBPerCallAfterStop?: number
  extra?: Record<string, number>
}

export interface ReportRatio {
  /** e.g. `retrace/floor`. */
  label: string
  value: number
  /** Which statistic the ratio is of (round by round, median over rounds). */
  stat: 'mean' | 'p50' | 'retained'
}

export interface ReportTarget {
  label: string
  value: number
  /** e.g. `≤ 2×`. */
  goal: string
  pass: boolean
}

export interface MeasurementReport {
  id: string
  title: string
  unit: 'µs/call' | 'µs/event' | 'KB/call' | 'ms/cassette'
  notes: string[]
  rows: ReportRow[]
  ratios: ReportRatio[]
  targets: ReportTarget[]
  /** Figures that are not timings (accuracy, precision), printed instead of the timing rows: a table, */
  table?: { header: string[]; rows: string[][] }
  /** and/or lines of text (markdown tables with prose around them). */
  lines?: string[]
}

/** Turns a subject's results into a report row. */
export function rowOf(result: SubjectResult): ReportRow {
  return {
    name: result.name,
    ...result.median,
    rounds: result.rounds,
    ...(Object.keys(result.extra).length ? { extra: result.extra } : {}),
  }
}

/** A target on a ratio or figure: `value < limit`, `value ≤ limit` or `value ≥ limit`. */
export function target(label: string, value: number, comparison: '<' | '<=' | '>=', limit: number, unit = '×'): ReportTarget {
  const pass = comparison === '<' ? value < limit : comparison === '<=' ? value <= limit : value >= limit
  return { label, value, goal: `${comparison === '<' ? '<' : comparison === '<=' ? '≤' : '≥'} ${limit}${unit}`, pass }
}

/** Finds a subject's results by name (throws on a typo). */
export function byName(results: readonly SubjectResult[], name: string): SubjectResult {
  const found = results.find((r) => r.name === name)
  if (!found) throw new Error(`no results for ${name}`)
  return found
}
