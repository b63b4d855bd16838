// `npm run bench`: every measurement in one process, side by side; prints the tables and
// writes bench/results.json. Flags: --quick (smaller counts, to check the suite itself),
// --only=id[,id] (e.g. --only=replay-json,retained-heap).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FIXTURE_SIZES, SSE_PARSER_VERSION, startFixtureServer, writeFixtureCassettes, type BenchContext } from './fixtures.ts'
import { captureGlobals, fmt, target, type MeasurementReport } from './harness.ts'
import { nodeHttpReplay } from './node-http-replay.ts'
import { recordOverhead } from './record-overhead.ts'
import { replayJson } from './replay-json.ts'
import { replaySse } from './replay-sse.ts'
import { cassetteLoad } from './cassette-load.ts'
import { benchDivergence } from './divergence.ts'
import { benchDetectors, detectorLines } from './detectors.ts'
import { benchDivergenceAccuracy, formatShare } from './divergence-accuracy.ts'
import { retainedHeap } from './retained-heap.ts'
import { runtimeOverhead } from './runtime-overhead.ts'
import { secretScan } from './secret-scan.ts'
import { testOverhead } from './test-overhead.ts'
import { transportThroughput } from './transport-throughput.ts'
import { serverIngest } from './server-ingest.ts'
import { serverDetections } from './server-detections.ts'
import { dashboardTrace } from './dashboard-trace.ts'
import { forkOverhead } from './fork-overhead.ts'

const MEASUREMENTS: Array<{ id: string; run: (ctx: BenchContext) => Promise<MeasurementReport | MeasurementReport[]> }> = [
  { id: 'replay-json', run: replayJson },
  { id: 'replay-sse', run: replaySse },
  { id: 'record-overhead', run: recordOverhead },
  { id: 'node-http-replay', run: nodeHttpReplay },
  { id: 'cassette-load', run: cassetteLoad },
  { id: 'divergence', run: divergenceReport },
  { id: 'divergence-accuracy', run: divergenceAccuracyReport },
  { id: 'detectors', run: detectorsReport },
  { id: 'secret-scan', run: (ctx) => secretScan(ctx) },
  { id: 'test-overhead', run: (ctx) => testOverhead(ctx) },
  { id: 'runtime-overhead', run: (ctx) => runtimeOverhead(ctx) },
  { id: 'transport-throughput', run: (ctx) => transportThroughput(ctx) },
  // The servers run in their own processes: nothing here weighs on the other rows.
  { id: 'server', run: (ctx) => serverIngest(ctx) },
  { id: 'server-detections', run: (ctx) => serverDetections(ctx) },
  // Chromium and the server run in their own processes too.
  { id: 'dashboard', run: (ctx) => dashboardTrace(ctx) },
  { id: 'fork-overhead', run: (ctx) => forkOverhead(ctx) },
  // Last: msw and nock keep what they retain even after they are stopped, and a bigger heap
  // makes every later garbage collection slower.
  { id: 'retained-heap', run: retainedHeap },
]

/** The divergence engine's figures in the common report shape. */
async function divergenceReport(): Promise<MeasurementReport> {
  const { rows, targets, anchored } = await benchDivergence()
  return {
    id: 'divergence',
    title: 'Divergence scoring (µs)',
    unit: 'µs/call',
    notes: [
      'compareRuns on fixtures whose verdict is checked first: 3,000-character paraphrases per step, identical runs (short-circuit), a 10-step tool-calling run; then load costs in a fresh process.',
      'Each timed row also reports the median CPU time per call (all threads, GC included), steadier than wall time when other jobs share the machine.',
      'compareTexts on one 3,000-character pair beside its anchors in interleaved rounds (the floor: split into words and count shared ones; ICU word segmentation with Intl.Segmenter; the engine with its guard off); ratios of CPU time, round by round, median.',
    ],
    rows: [
      ...rows.map((row) => ({ name: row.name, n: 1, mean: row.medianUs, p50: row.medianUs, p99: row.p99Us, rounds: [], ...(row.cpuUs === undefined ? {} : { extra: { 'median CPU µs': row.cpuUs } }) })),
      ...anchored.rows.map((row) => ({ name: row.name, n: 1, mean: row.wallUs, p50: row.wallUs, p99: row.wallUs, rounds: [], extra: { 'median CPU µs': row.cpuUs, 'least CPU µs': row.minCpuUs } })),
    ],
    ratios: anchored.ratios.map((ratio) => ({ ...ratio, stat: 'mean' as const })),
    targets,
  }
}

/** The failure detectors: attribution accuracy on Who&When and precision on the synthetic fixtures. */
async function detectorsReport(ctx: BenchContext): Promise<MeasurementReport> {
  const bench = benchDetectors()
  if (!bench.whoAndWhen) ctx.log('detectors: Who&When data not found (../shared/data/who-and-when); the attribution rows are skipped')
  return {
    id: 'detectors',
    title: 'Multi-agent failure detectors (accuracy, precision)',
    unit: 'µs/call',
    notes: ['detect() over the 58 Who&When hand-crafted runs and over detectors/test/synthetic-traces.ts; see bench/detectors.ts.'],
    rows: [],
    ratios: [],
    targets: bench.precision.map((row) => target(`${row.kind} precision on the synthetic fixtures`, row.flagged ? row.correct / row.flagged : 0, '>=', 1, '')),
    lines: detectorLines(bench),
  }
}

/** The divergence engine's accuracy on its labelled set, per category. */
async function divergenceAccuracyReport(): Promise<MeasurementReport> {
  const { rows } = benchDivergenceAccuracy()
  const percent = ([right, total]: [number, number]) => (100 * right) / total
  return {
    id: 'divergence-accuracy',
    title: 'Divergence accuracy on the labelled set (divergence/src/meaning-pairs.json)',
    unit: 'µs/call',
    notes: [
      'Meaning changes judged diverged, paraphrases judged equivalent, through compareRuns with default options. The held-out part (a quarter of the first round of pairs, half of the second) was not looked at while tuning the rules; "of which round 2" is the second round\'s held-out half.',
    ],
    rows: [],
    ratios: [],
    table: {
      header: ['category', 'all pairs', 'tuning part', 'held out', 'of which round 2'],
      rows: rows.map((row) => [row.category, formatShare(row.all), formatShare(row.tune), formatShare(row.heldOut), formatShare(row.heldOutRound2)]),
    },
    targets: rows.map((row) => ({
      label: `${row.category === 'paraphrase' ? 'paraphrases equivalent' : `${row.category} changes caught`}, all pairs (%)`,
      value: Math.round(percent(row.all) * 10) / 10,
      goal: '≥ 95 %',
      pass: percent(row.all) >= 95,
    })),
  }
}

/** The versions of the tools compared, as installed at the root. */
function toolVersions(): Record<string, string> {
  // Read from disk: not every package exports its package.json.
  const version = (name: string) => {
    try {
      return (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version
    } catch {
      return 'unknown'
    }
  }
  return { msw: version('msw'), nock: version('nock'), '@mswjs/interceptors': version('@mswjs/interceptors'), 'eventsource-parser': SSE_PARSER_VERSION }
}

/** Prints one measurement as a table, then its ratios and targets. */
function printReport(report: MeasurementReport): void {
  if (report.table || report.lines) {
    console.log(`\n## ${report.title}`)
    if (report.table) {
      const { header, rows } = report.table
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
      for (const cells of [header, ...rows]) console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
    }
    for (const line of report.lines ?? []) console.log(line)
    for (const t of report.targets) console.log(`target ${t.pass ? 'PASS' : 'FAIL'}: ${t.label} = ${fmt(t.value)} (goal ${t.goal})`)
    return
  }
  const hasHeap = report.rows.some((row) => row.retainedKBPerCall !== undefined)
  const timeHeader = report.unit === 'KB/call' ? 'µs/call' : report.unit
  console.log(`\n## ${report.title}`)
  const header = ['', `mean ${timeHeader}`, 'p50', 'p99', ...(hasHeap ? ['retained KB/call', 'after stop'] : [])]
  const lines = report.rows.map((row) => [
    row.name,
    fmt(row.mean),
    fmt(row.p50),
    fmt(row.p99),
    ...(hasHeap ? [fmt(row.retainedKBPerCall ?? Number.NaN), fmt(row.retainedKBPerCallAfterStop ?? Number.NaN)] : []),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const render = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  console.log(render(header))
  for (const line of lines) console.log(render(line))
  for (const row of report.rows) {
    if (row.extra && Object.keys(row.extra).length) {
      console.log(`  ${row.name}: ${Object.entries(row.extra).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`)
    }
  }
  if (report.ratios.length) console.log(`ratios: ${report.ratios.map((r) => `${r.label} ${fmt(r.value)}×${r.stat === 'mean' ? '' : ` (${r.stat})`}`).join(' · ')}`)
  for (const t of report.targets) console.log(`target ${t.pass ? 'PASS' : 'FAIL'}: ${t.label} = ${fmt(t.value)} (goal ${t.goal})`)
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const quick = args.includes('--quick')
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',')
  const log = (line: string) => process.stderr.write(`${line}\n`)
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') throw new Error('Run with --expose-gc (npm run bench does).')

  const tmp = mkdtempSync(join(tmpdir(), 'retrace-bench-run-'))
  const cassettes = await writeFixtureCassettes()
  const server = await startFixtureServer()
  // Every tool is imported by now (nock was switched off on import): these are the originals.
  captureGlobals()
  const ctx: BenchContext = { cassettes, server, tmp, quick, log }
  const started = performance.now()
  const reports: MeasurementReport[] = []
  try {
    for (const measurement of MEASUREMENTS) {
      if (only && !only.includes(measurement.id)) continue
      log(`# ${measurement.id}`)
      const sectionStarted = performance.now()
      const result = await measurement.run(ctx)
      log(`# ${measurement.id} took ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB`)
      for (const report of Array.isArray(result) ? result : [result]) {
        reports.push(report)
        printReport(report)
      }
    }
  } finally {
    await server.close()
    cassettes.remove()
    rmSync(tmp, { recursive: true, force: true })
  }
  const seconds = (performance.now() - started) / 1000
  const targets = reports.flatMap((r) => r.targets.map((t) => ({ measurement: r.id, ...t })))
  console.log(`\n${targets.filter((t) => t.pass).length}/${targets.length} targets pass · ${seconds.toFixed(0)} s · node ${process.version}`)
  const results = {
    generatedAt: new Date().toISOString(),
    quick,
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGB: Math.round(totalmem() / 2 ** 30), platform: process.platform },
    versions: toolVersions(),
    fixtures: FIXTURE_SIZES,
    seconds,
    targets,
    measurements: reports,
  }
  // A partial or quick run must not overwrite the full figures.
  if (only || quick) return
  const file = fileURLToPath(new URL('results.json', import.meta.url))
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`wrote ${file}`)
}

await main()
