// The Retrace server under load, each store in its own server process, beside the in-memory
// test server (the ceiling: no store, no durability) in the same run:
// - sustained ingest over the WebSocket with the SDK's transport as the client (spans/s);
// - acknowledgement latency p50/p99 at 5,000 spans/s (a bare client pacing 250-span batches);
// - server RSS after 1,000,000 stored spans, and CPU while idle;
// - reads: the trace list with 100,000 traces stored, one trace of 1,000 spans;
// - the secret masking every ingested batch goes through, per span, beside the schema
//   validation the server ran before it (in this process).
import { fork, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { createTransport } from '@retrace/core'
import { API_KEY_HEADER, PROTOCOL_HEADER, WireEventSchema, type WireEvent } from '@retrace/protocol'
import { maskEventSecrets } from '@retrace/server'
import { createDatabase, startPostgresCluster } from '../test-support/postgres-cluster.ts'
import { median, percentile, target, type MeasurementReport, type ReportRow } from './harness.ts'

/** A server under benchmark in its own process (`bench/server-child.ts`). */
export interface ServerChild {
  name: string
  url: string
  key: string
  child: ChildProcess
  stats(): Promise<{ rss: number; cpu: NodeJS.CpuUsage; at: number }>
  stop(): Promise<void>
}

/** Starts `bench/server-child.ts` with `args` and waits for its URL and key. */
export async function startChild(name: string, args: string[]): Promise<ServerChild> {
  const child = fork(join(import.meta.dirname, 'server-child.ts'), args, { execArgv: ['--conditions=@retrace/source', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await new Promise<{ url: string; key: string }>((resolve, reject) => {
    child.once('message', (message: { type: string; url: string; key: string }) => resolve(message))
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code}`)))
  })
  return {
    name,
    ...ready,
    child,
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (message: { type: string; rss: number; cpu: NodeJS.CpuUsage; at: number }) => {
          if (message.type !== 'stats') return
          child.off('message', onMessage)
          resolve(message)
        }
        child.on('message', onMessage)
        child.send({ type: 'stats' })
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.send({ type: 'stop' })
      }),
  }
}

const AT = new Date(0).toISOString()

/** A tool span as the SDK emits one (~300 bytes), in traces of 100 spans. */
function spanEvent(prefix: string, n: number): WireEvent {
  const traceId = `${prefix}-t${Math.floor(n / 100)}`
  const id = `${prefix}-s${n}`
  return { type: 'span', id, span: { id, traceId, kind: 'tool', name: 'get_weather', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok', input: { city: 'Paris', units: 'metric' }, output: { city: 'Paris', sky: 'sunny', temperatureC: 18 } } }
}

/** A span as the SDK sends one: UUID ids, 100 spans per trace under one agent span. */
function sdkSpanEvent(traceId: string, parentId: string): WireEvent {
  const event = spanEvent('sdk', 0) as Extract<WireEvent, { type: 'span' }>
  const id = randomUUID()
  return { ...event, id, span: { ...event.span, id, traceId, parentId } }
}

/**
 * What masking secrets costs the server per span (`maskEventSecrets`, run on every ingested
 * batch), beside the schema validation it ran before (both per 1,000-span batch, as ingest
 * runs them; median of rounds): the ingest rows' spans, spans with the SDK's UUID ids, and
 * spans that each hold a secret (the copy-and-mask path).
 */
function secretScanCost(quick: boolean): { rows: ReportRow[]; perSpan: Record<string, number> } {
  const rounds = quick ? 5 : 15
  const stripe = () => `sk${'_live_'}Fake${randomUUID().replaceAll('-', '').slice(0, 20)}`
  const sdkBatch = () => {
    const traces = Array.from({ length: 10 }, () => ({ traceId: randomUUID(), root: randomUUID() }))
    return Array.from({ length: 1000 }, (_, n) => sdkSpanEvent(traces[n % 10]!.traceId, traces[n % 10]!.root))
  }
  const batches: Record<string, (round: number) => WireEvent[]> = {
    [VALIDATION]: () => sdkBatch(),
    'maskEventSecrets: the ingest rows’ spans': (r) => Array.from({ length: 1000 }, (_, n) => spanEvent(`sqlite-r${r}`, 10_000 + n)),
    'maskEventSecrets: SDK spans (UUID ids)': () => sdkBatch(),
    'maskEventSecrets: a secret in every span': () =>
      sdkBatch().map((event) => {
        const span = (event as Extract<WireEvent, { type: 'span' }>).span
        return { ...event, span: { ...span, output: { ...(span.output as object), note: `use ${stripe()}` } } } as WireEvent
      }),
  }
  const samples = new Map<string, number[]>(Object.keys(batches).map((name) => [name, []]))
  for (let round = -1; round < rounds; round++) {
    for (const [name, make] of Object.entries(batches)) {
      const events = make(round)
      const started = performance.now()
      if (name === VALIDATION) for (const event of events) WireEventSchema.safeParse(event)
      else maskEventSecrets(events)
      const perSpan = ((performance.now() - started) * 1000) / events.length
      if (round >= 0) samples.get(name)!.push(perSpan)
    }
  }
  const rows: ReportRow[] = []
  const perSpan: Record<string, number> = {}
  for (const [name, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b)
    perSpan[name] = median(values)
    rows.push({ name, n: values.length * 1000, mean: median(values), p50: median(values), p99: percentile(sorted, 0.99), rounds: [] })
  }
  return { rows, perSpan }
}

const VALIDATION = 'schema validation (WireEventSchema, per event; already on the ingest path)'

/** Delivers events through the SDK transport over the WebSocket; seconds from first send to last ack. */
async function throughTransport(server: ServerChild, events: (n: number) => WireEvent, count: number): Promise<number> {
  const journalDir = mkdtempSync(join(tmpdir(), 'retrace-bench-journal-'))
  const transport = createTransport({ baseUrl: server.url, apiKey: server.key, journalDir, channels: 'ws', onError: () => {} })
  while (transport.state !== 'websocket') await new Promise((resolve) => setTimeout(resolve, 5))
  const started = performance.now()
  for (let n = 0; n < count; n++) transport.send(events(n))
  const result = await transport.flush(600_000)
  const seconds = (performance.now() - started) / 1000
  await transport.close()
  rmSync(journalDir, { recursive: true, force: true })
  if (!result.complete) throw new Error(`${server.name}: ${count} events not delivered`)
  return seconds
}

/** Ack latency of 250-span batches sent every 50 ms (5,000 spans/s) for `seconds`; per-batch ms. */
export async function ackLatency(server: ServerChild, prefix: string, seconds: number): Promise<number[]> {
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/stream`, { headers: { [API_KEY_HEADER]: server.key, [PROTOCOL_HEADER]: '1' } })
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
  socket.send(JSON.stringify({ type: 'register', sdk: 'bench', protocol: 1, resumable: [] }))
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; batchId: string }
    const at = sentAt.get(message.batchId)
    if (message.type === 'ack' && at !== undefined) latencies.push(performance.now() - at)
  })
  const batches = Math.round(seconds * 20)
  let n = 0
  for (let b = 0; b < batches; b++) {
    const events = Array.from({ length: 250 }, () => spanEvent(prefix, n++))
    const batchId = `${prefix}-b${b}`
    sentAt.set(batchId, performance.now())
    socket.send(JSON.stringify({ type: 'batch', batchId, events }))
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const deadline = Date.now() + 30_000
  while (latencies.length < batches && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  socket.close()
  return latencies
}

/** p50 and p99 of `calls` sequential GETs (POSTs of `body` when given), in µs. */
async function timeGets(server: ServerChild, path: string | ((i: number) => string), calls: number, body?: unknown): Promise<ReportRow & { name: string }> {
  const times: number[] = []
  for (let i = 0; i < calls + 10; i++) {
    const started = performance.now()
    const init = body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }
    const response = await fetch(`${server.url}${typeof path === 'string' ? path : path(i)}`, { headers: { [API_KEY_HEADER]: server.key }, ...init })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${server.name}: GET ${path} answered ${response.status}`)
    if (i >= 10) times.push((performance.now() - started) * 1000)
  }
  const sorted = [...times].sort((a, b) => a - b)
  return { name: '', n: calls, mean: times.reduce((a, b) => a + b, 0) / times.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), rounds: [] }
}

/**
 * Every server measurement, as four reports.
 *
 * @example
 * const reports = await serverIngest({ quick: true, log: console.error })
 */
export async function serverIngest(options: { quick: boolean; log: (line: string) => void }): Promise<MeasurementReport[]> {
  const quick = options.quick
  const perRound = quick ? 20_000 : 100_000
  const rounds = quick ? 1 : 3
  const storedSpans = quick ? 100_000 : 1_000_000
  const traceCount = quick ? 10_000 : 100_000
  const latencySeconds = quick ? 2 : 10
  const idleSeconds = quick ? 3 : 10
  const cluster = await startPostgresCluster({ durable: true })
  if (!cluster) options.log('  PostgreSQL is not installed: its rows are skipped (apt-get install -y postgresql).')
  const databases: Array<[string, string]> = [['sqlite', `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-bench-db-')), 'retrace.db')}`]]
  if (cluster) databases.push(['postgres', await createDatabase(cluster.url)])

  const ingestRows: ReportRow[] = []
  const latencyRows: ReportRow[] = []
  const footprintRows: ReportRow[] = []
  const readRows: ReportRow[] = []
  const spansPerSecond: Record<string, number> = {}
  const footprint: Record<string, { rssMB: number; idleCpuPercent: number }> = {}
  try {
    const subjects: Array<[string, string[]]> = [['in-memory test server (ceiling)', ['memory']], ...databases.map(([engine, url]): [string, string[]] => [engine, ['retrace', url]])]
    for (const [name, args] of subjects) {
      const server = await startChild(name, args)
      try {
        options.log(`  ${name}: ingest`)
        await throughTransport(server, (n) => spanEvent(`${name}-warm`, n), quick ? 5_000 : 20_000)
        const seconds: number[] = []
        const cpuBefore = (await server.stats()).cpu
        for (let round = 0; round < rounds; round++) seconds.push(await throughTransport(server, (n) => spanEvent(`${name}-r${round}`, n), perRound))
        const cpuAfter = (await server.stats()).cpu
        const perSpan = seconds.map((s) => (s * 1e6) / perRound)
        spansPerSecond[name] = perRound / median(seconds)
        // CPU time per span of the server process: what load on a shared machine moves least.
        const serverCpuUsPerSpan = (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / (perRound * rounds)
        ingestRows.push({ name, n: perRound * rounds, mean: median(perSpan), p50: median(perSpan), p99: Math.max(...perSpan), rounds: [], extra: { spansPerSecond: Math.round(spansPerSecond[name]), serverCpuUsPerSpan } })
        options.log(`  ${name}: ${Math.round(spansPerSecond[name]).toLocaleString('en')} spans/s; ack latency at 5,000 spans/s`)
        const latencies = (await ackLatency(server, `${name}-lat`, latencySeconds)).map((ms) => ms * 1000)
        const sorted = [...latencies].sort((a, b) => a - b)
        latencyRows.push({ name, n: latencies.length, mean: latencies.reduce((a, b) => a + b, 0) / latencies.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), rounds: [] })
        if (args[0] === 'memory') continue

        const already = (quick ? 5_000 : 20_000) + perRound * rounds + latencySeconds * 20 * 250
        options.log(`  ${name}: filling to ${storedSpans.toLocaleString('en')} stored spans`)
        if (storedSpans > already) await throughTransport(server, (n) => spanEvent(`${name}-fill`, n), storedSpans - already)
        const afterFill = await server.stats()
        options.log(`  ${name}: ${traceCount.toLocaleString('en')} traces and one of 1,000 spans for the reads`)
        await throughTransport(
          server,
          (n) => {
            const traceId = `${name}-list-${Math.floor(n / 2)}`
            return n % 2 === 0
              ? { type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: n % 4 === 0 ? 'support-agent' : 'triage', startedAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(), sessionId: `session-${n % 1000}`, tags: n % 10 === 0 ? ['vip'] : [] } }
              : { type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: AT, status: n % 7 === 1 ? 'failed' : 'completed', totals: { inputTokens: 100, outputTokens: 20, usd: 0.001, durationMs: 1500 } } }
          },
          traceCount * 2,
        )
        await throughTransport(server, (n) => ({ ...spanEvent(`${name}-big`, n), span: { ...(spanEvent(`${name}-big`, n) as Extract<WireEvent, { type: 'span' }>).span, traceId: `${name}-big` } }), 1000)
        const idleStart = await server.stats()
        await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000))
        const idleEnd = await server.stats()
        const cpuMs = (idleEnd.cpu.user + idleEnd.cpu.system - idleStart.cpu.user - idleStart.cpu.system) / 1000
        footprint[name] = { rssMB: afterFill.rss / 2 ** 20, idleCpuPercent: (100 * cpuMs) / (idleEnd.at - idleStart.at) }
        footprintRows.push({ name, n: 1, mean: footprint[name].rssMB, p50: footprint[name].rssMB, p99: footprint[name].rssMB, rounds: [], extra: { rssMBAfterSpans: Math.round(footprint[name].rssMB), storedSpans, idleCpuPercent: footprint[name].idleCpuPercent } })
        options.log(`  ${name}: reads`)
        const calls = quick ? 30 : 200
        readRows.push({ ...(await timeGets(server, '/api/v1/traces?limit=50', calls)), name: `${name}: list, first page of 50` })
        readRows.push({ ...(await timeGets(server, '/api/v1/traces?status=failed&name=support-agent&limit=50', calls)), name: `${name}: list, filtered` })
        readRows.push({ ...(await timeGets(server, (i) => `/api/v1/traces?session=session-${i % 1000}&limit=50`, calls)), name: `${name}: list, one session` })
        readRows.push({ ...(await timeGets(server, `/api/v1/traces/${name}-big`, quick ? 10 : 50)), name: `${name}: one trace of 1,000 spans` })
        const check = { traceId: 'bench', name: 'support-agent', totals: { inputTokens: 1200, outputTokens: 300, usd: 0.021, durationMs: 4100, steps: 3 } }
        readRows.push({ ...(await timeGets(server, '/v1/policy/check', calls, check)), name: `${name}: POST /v1/policy/check (SDK timeout 1.5 s)` })
      } finally {
        await server.stop()
      }
    }
  } finally {
    cluster?.stop()
  }

  options.log('  secret masking per span')
  const masking = secretScanCost(quick)
  const validation = masking.perSpan[VALIDATION]!
  const ceiling = spansPerSecond['in-memory test server (ceiling)']!
  const ratios = databases.map(([engine]) => ({ label: `${engine}/ceiling spans/s`, value: spansPerSecond[engine]! / ceiling, stat: 'mean' as const }))
  const count = (n: number) => n.toLocaleString('en')
  return [
    {
      id: 'server-ingest',
      title: 'Server ingest over the WebSocket, the SDK transport as client (µs per span; spans/s in extra)',
      unit: 'µs/event',
      notes: [
        `${count(perRound)} tool spans (~300 B, 100 per trace) per round, median of ${rounds} round(s), first send to last acknowledgement; each server in its own process. Ceiling: the in-memory test server (schema validation on, nothing stored).`,
        'SQLite: WAL, synchronous=NORMAL, one group-committing writer. PostgreSQL: a local cluster with default durability (fsync on).',
      ],
      rows: ingestRows,
      ratios,
      targets: [target('spans/s into the embedded store', spansPerSecond.sqlite!, '>=', 20_000, ' spans/s')],
    },
    {
      id: 'server-secret-scan',
      title: 'Secret masking on ingest (µs per span, 1,000-span batches, in this process)',
      unit: 'µs/event',
      notes: [
        'Every validated batch goes through maskEventSecrets (maskSecrets of @retrace/cassettes over the content; ids apart, the SDK’s UUIDs skipped) before it is stored (issue 15). Beside it, the schema validation the server ran on each event before masking existed.',
        'Server CPU per span in the ingest rows (serverCpuUsPerSpan) includes it.',
      ],
      rows: masking.rows,
      ratios: Object.entries(masking.perSpan)
        .filter(([name]) => name !== VALIDATION)
        .map(([name, value]) => ({ label: `${name.replace('maskEventSecrets: ', '')}/validation`, value: value / validation, stat: 'mean' as const })),
      targets: [],
    },
    {
      id: 'server-ack-latency',
      title: 'Acknowledgement latency at 5,000 spans/s (µs per 250-span batch, send to ack)',
      unit: 'µs/call',
      notes: [`A bare WebSocket client sends a 250-span batch every 50 ms for ${latencySeconds} s.`],
      rows: latencyRows,
      ratios: [],
      targets: [],
    },
    {
      id: 'server-footprint',
      title: `Server RSS after ${count(storedSpans)} stored spans (MB), and CPU while idle`,
      unit: 'µs/call',
      notes: [`RSS of the server process right after the spans were stored (figure columns are MB). Idle CPU: user + system time over ${idleSeconds} s with nothing connected.`],
      rows: footprintRows,
      ratios: [],
      targets: databases.map(([engine]) => target(`idle CPU of the ${engine} server`, footprint[engine]!.idleCpuPercent, '<', 1, ' %')),
    },
    {
      id: 'server-reads',
      title: `Reads with ${count(traceCount)}+ traces stored (µs per request, HTTP on loopback)`,
      unit: 'µs/call',
      notes: ['Sequential GETs with the key; the list is newest first, 50 per page.'],
      rows: readRows,
      ratios: [],
      targets: [],
    },
  ]
}
