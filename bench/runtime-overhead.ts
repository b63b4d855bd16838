// What recording costs on the agent's own path: the time `span()` and `tool()` add around a
// trivial function inside a recorded run (events queued to a transport that keeps them, as the
// real one does before batching), against calling the function bare.
import { configure, record, span, tool } from '@retrace/core'
import { runtime, type RuntimeTransport } from '@retrace/core/internal'
import type { WireEvent } from '@retrace/protocol'
import { median, target, type MeasurementReport } from './harness.ts'

function keepingTransport(): RuntimeTransport & { events: WireEvent[] } {
  const events: WireEvent[] = []
  return {
    events,
    send: (event) => void events.push(event),
    flush: async () => undefined,
    close: async () => {},
    onMessage: () => () => {},
    checkPolicy: async () => undefined,
  }
}

/**
 * Per-span overhead of recording: µs added by `span()` / `tool()` per call, median of rounds.
 * Target: under 20 µs.
 *
 * @example
 * const report = await runtimeOverhead({ quick: false, log: console.error })
 */
export async function runtimeOverhead(options: { quick: boolean; log: (line: string) => void }): Promise<MeasurementReport> {
  const transport = keepingTransport()
  runtime().setTransportFactory(() => transport)
  configure({ apiKey: 'rt_bench_key' })
  const spansPerRun = 1000
  const rounds = options.quick ? 2 : 7
  const work = (value: number) => value + 1
  const getWeather = tool('get_weather', (args: { city: string }) => ({ city: args.city, sky: 'sunny' }))
  // A result holding a key: what masking costs when it has something to mask.
  const secret = 'sk' + '_live_' + 'FakeK3y0123456789abcdefXYZ'
  const loadConfig = tool('load_config', (args: { city: string }) => ({ city: args.city, stripe: secret }))
  const bare = () => {
    let total = 0
    for (let i = 0; i < spansPerRun; i++) total += work(i)
    return total
  }
  const withSpans = record({ name: 'bench-spans' }, () => {
    let total = 0
    for (let i = 0; i < spansPerRun; i++) total += span('step', () => work(i))
    return total
  })
  const withTools = record({ name: 'bench-tools' }, () => {
    for (let i = 0; i < spansPerRun; i++) getWeather({ city: 'Paris' })
  })
  const withSecrets = record({ name: 'bench-secrets' }, () => {
    for (let i = 0; i < spansPerRun; i++) loadConfig({ city: 'Paris' })
  })
  const time = (fn: () => unknown) => {
    const started = performance.now()
    fn()
    return ((performance.now() - started) * 1000) / spansPerRun
  }
  const results = { bare: [] as number[], span: [] as number[], tool: [] as number[], secret: [] as number[] }
  for (let round = 0; round < rounds + 1; round++) {
    const b = time(bare)
    const s = time(withSpans)
    const t = time(withTools)
    const k = time(withSecrets)
    if (round === 1 && JSON.stringify(transport.events).includes(secret)) throw new Error('runtime-overhead bench: a key reached the transport')
    transport.events.length = 0
    // Round 0 warms the JIT up.
    if (round === 0) continue
    results.bare.push(b)
    results.span.push(s)
    results.tool.push(t)
    results.secret.push(k)
  }
  runtime().setTransportFactory(undefined)
  runtime().removeHooks()
  configure({})
  const spanOverhead = median(results.span) - median(results.bare)
  const toolOverhead = median(results.tool) - median(results.bare)
  const secretOverhead = median(results.secret) - median(results.bare)
  options.log(`  span() ${spanOverhead.toFixed(2)} µs, tool() ${toolOverhead.toFixed(2)} µs, tool() masking a key ${secretOverhead.toFixed(2)} µs per call`)
  const row = (name: string, values: number[]) => ({ name, n: values.length * spansPerRun, mean: median(values), p50: median(values), p99: Math.max(...values), rounds: [] })
  return {
    id: 'runtime-overhead',
    title: 'Runtime SDK: time per call on the agent\'s path (µs)',
    unit: 'µs/call',
    notes: ['1,000 calls per recorded run, median of rounds; events go to an in-memory transport. Overhead = span/tool row minus the bare row. Every event passes the secret rules before it is queued (issue 15); the last row\'s tool returns a Stripe key, which is masked.'],
    rows: [row('bare function call', results.bare), row('inside span()', results.span), row('tool() wrapper', results.tool), row('tool() returning a key (masked)', results.secret)],
    ratios: [],
    targets: [target('span() overhead per span (µs)', spanOverhead, '<', 20, ' µs'), target('tool() overhead per span (µs)', toolOverhead, '<', 20, ' µs')],
  }
}
