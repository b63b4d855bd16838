// What the secret rules cost on a whole recording: redacting a 4 MB cassette and scanning
// it (what `stop()` does before writing, and what `retrace cassette lint` / `ci replay` do),
// with the current rules (secretlint's recommended preset, extra shapes, context checks,
// streams reassembled) against the nine-regex list Retrace used before issue 8.
import { findSecrets, type Cassette, type Interaction, type JsonValue } from '@retrace/cassettes'
import { createRedactor } from '@retrace/core/internal'
import { median, type MeasurementReport, type ReportRow } from './harness.ts'
import { legacyFindSecrets, legacyRedactInteraction } from './legacy-secret-scan.ts'

const TARGET_BYTES = 4 * 1024 * 1024
const LOREM =
  'The agent looked up the forecast, compared three cities and wrote a short plan for the trip. It keeps the answer brief and cites the tool results it used. '

/**
 * A recording of about 4 MB: an agent's growing conversation (tool calls with their ids,
 * tool results, long answers), JSON and streamed answers, an auth header on every request
 * and a key in one tool result out of ten. `salt` makes every string new, so no cache
 * carries over between rounds.
 */
export function fourMegabyteCassette(salt: number): Cassette {
  const interactions: Interaction[] = []
  const messages: JsonValue[] = [{ role: 'system', content: `You are a travel assistant (${salt}). ${LOREM.repeat(4)}` }]
  let bytes = 0
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const id = `${salt.toString(36)}${i.toString(36).padStart(6, '0')}Ab9`
    messages.push({ role: 'user', content: `Turn ${i}: what about city ${i % 17}? ${LOREM}` })
    const request = {
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { authorization: `Bearer sk-${'proj-'}${id}FakeKey0123456789abcdefABCDEF`, 'content-type': 'application/json' },
      body: { json: { model: 'gpt-4o-mini', messages: messages.slice(-24), tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] } as JsonValue },
    }
    const secret = i % 10 === 0 ? ` stripe=${'sk'}_live_${id}Fake0123456789abcdef` : ''
    const answer = `Day ${i}: ${LOREM.repeat(6)}${secret}`
    const streamed = i % 3 === 0
    const response = streamed
      ? {
          status: 200,
          headers: { 'content-type': 'text/event-stream', 'x-request-id': `req_${id}` },
          body: {
            sse: answer.match(/.{1,24}/gs)!.map((piece, t) => ({ t, data: { id: `chatcmpl-${id}`, object: 'chat.completion.chunk', model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] } })),
          },
        }
      : {
          status: 200,
          headers: { 'content-type': 'application/json', 'x-request-id': `req_${id}` },
          body: { json: { id: `chatcmpl-${id}`, object: 'chat.completion', model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: answer, tool_calls: [{ id: `call_${id}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city: `City ${i}` }) } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 900, completion_tokens: 300, total_tokens: 1200 } } },
        }
    messages.push({ role: 'assistant', content: answer.slice(0, 400), tool_calls: [{ id: `call_${id}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city: `City ${i}` }) } }] })
    messages.push({ role: 'tool', tool_call_id: `call_${id}`, content: JSON.stringify({ city: `City ${i}`, sky: 'sunny', note: secret }) })
    const interaction = { request, response, timing: { latencyMs: 300, durationMs: 900 } } as Interaction
    interactions.push(interaction)
    bytes += JSON.stringify(interaction).length
  }
  return { version: 1, interactions } as Cassette
}

/**
 * Redact-and-scan and scan-only time for a 4 MB cassette, current rules against the legacy
 * list, median of rounds, as ratios.
 *
 * @example
 * const report = await secretScan({ quick: false, log: console.error })
 */
export async function secretScan(options: { quick: boolean; log: (line: string) => void }): Promise<MeasurementReport> {
  const rounds = options.quick ? 1 : 5
  const times = { legacyRedact: [] as number[], currentRedact: [] as number[], legacyScan: [] as number[], currentScan: [] as number[] }
  let size = 0
  let count = 0
  for (let round = 0; round <= rounds; round++) {
    const cassette = fourMegabyteCassette(round + 1)
    size = JSON.stringify(cassette).length
    count = cassette.interactions.length
    const timed = (fn: () => unknown) => {
      const started = performance.now()
      fn()
      return performance.now() - started
    }
    let legacyOut: Cassette | undefined
    let currentOut: Cassette | undefined
    const legacyRedact = timed(() => {
      legacyOut = { ...cassette, interactions: cassette.interactions.map(legacyRedactInteraction) }
      legacyFindSecrets(legacyOut)
    })
    const currentRedact = timed(() => {
      const redaction = createRedactor()
      currentOut = { ...cassette, interactions: cassette.interactions.map((interaction) => redaction.interaction(interaction)) }
      if (findSecrets(currentOut).length) throw new Error('secret-scan bench: a secret survived redaction')
    })
    const legacyScan = timed(() => legacyFindSecrets(legacyOut!))
    const currentScan = timed(() => findSecrets(currentOut!))
    // Round 0 warms the JIT up.
    if (round === 0) continue
    times.legacyRedact.push(legacyRedact)
    times.currentRedact.push(currentRedact)
    times.legacyScan.push(legacyScan)
    times.currentScan.push(currentScan)
  }
  const row = (name: string, values: number[]): ReportRow => ({ name, n: values.length, mean: median(values), p50: median(values), p99: Math.max(...values), rounds: [] })
  const ratioOf = (a: number[], b: number[]) => median(a.map((value, i) => value / b[i]!))
  options.log(`  ${(size / 1024 / 1024).toFixed(1)} MB, ${count} interactions: redact+scan ${median(times.currentRedact).toFixed(0)} ms (legacy ${median(times.legacyRedact).toFixed(0)} ms)`)
  return {
    id: 'secret-scan',
    title: `Secret redaction and scan of a ${(size / 1024 / 1024).toFixed(1)} MB cassette (${count} interactions), ms`,
    unit: 'ms/cassette',
    notes: [
      'redact+scan: every interaction through createRedactor().interaction(), then findSecrets on the result (what stop() does before writing). scan: findSecrets alone on a redacted cassette (what lint and ci replay do).',
      'legacy: the nine-regex list used before issue 8 (bench/legacy-secret-scan.ts). Each round builds a fresh cassette, so no cached finding carries over.',
    ],
    rows: [
      row('legacy regex list: redact + scan', times.legacyRedact),
      row('current rules: redact + scan', times.currentRedact),
      row('legacy regex list: scan only', times.legacyScan),
      row('current rules: scan only', times.currentScan),
    ],
    ratios: [
      { label: 'current/legacy (redact + scan)', value: ratioOf(times.currentRedact, times.legacyRedact), stat: 'mean' },
      { label: 'current/legacy (scan only)', value: ratioOf(times.currentScan, times.legacyScan), stat: 'mean' },
    ],
    targets: [],
  }
}
