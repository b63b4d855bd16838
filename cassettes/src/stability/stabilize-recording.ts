import { canonicalJson } from '../json/canonical-json.ts'
import type { JsonValue } from '../json/json-value.ts'
import { compileMatchOptions, normalizeUrlForMatching, requestKey, type CompiledMatchOptions } from '../matching/request-key.ts'
import type { Body } from '../schema/body.ts'
import type { Cassette } from '../schema/cassette.ts'
import type { Interaction, RecordedResponse } from '../schema/interaction.ts'
import { CarriedValues } from './carried-values.ts'
import { isVolatileHeader, maskVolatileFields, REPLAYED_RESPONSE_HEADERS } from './volatile-fields.ts'

/**
 * Makes a fresh recording diff-stable against the previous file: every interaction that
 * equals a previously recorded one except for volatile values (ids, timestamps, timings,
 * request-id headers) is kept byte-for-byte as it was, and the new run's generated ids are
 * mapped back to the old ones in later requests and responses so the cassette stays
 * consistent (a tool call id from response 1 is the id request 2 sends back), the run's
 * result included. Response headers other than those a client acts on
 * ({@link REPLAYED_RESPONSE_HEADERS}) never make a step new. Re-recording an unchanged run
 * therefore rewrites nothing.
 *
 * @example
 * const interaction = (id: string) => ({ request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }] } } }, response: { status: 200, headers: { 'x-request-id': id }, body: { json: { id, choices: [{ message: { content: 'Sunny.' } }] } } } })
 * const committed = { version: 1 as const, interactions: [interaction('req_old')] }
 * const fresh = { version: 1 as const, interactions: [interaction('req_new')] }
 * // Same answers, new ids: the committed cassette is kept byte for byte (no diff to review).
 * stabilizeRecording(committed, fresh) // → committed
 */
export function stabilizeRecording(previous: Cassette | undefined, next: Cassette, options: CompiledMatchOptions = compileMatchOptions()): Cassette {
  if (!previous || previous.interactions.length === 0) return next
  const carried = new CarriedValues()
  const unused = new Map<string, number[]>()
  previous.interactions.forEach((interaction, index) => {
    const key = requestKey(interaction.request, options)
    unused.set(key, [...(unused.get(key) ?? []), index])
  })
  let changed = false
  const interactions = next.interactions.map((fresh) => {
    const remapped = carried.hasIds ? (carried.remapIds(fresh as unknown as JsonValue) as unknown as Interaction) : fresh
    const candidates = unused.get(requestKey(remapped.request, options))
    const oldIndex = candidates?.[0]
    const old = oldIndex === undefined ? undefined : previous.interactions[oldIndex]
    if (old && comparableForm(old) === comparableForm(remapped)) {
      candidates!.shift()
      carried.collect(remapped, old)
      return old
    }
    changed = true
    return remapped
  })
  // The recorder's name stays as it was when nothing changed, so an upgrade alone is no diff;
  // everything else (the run's result) is the new run's.
  const unchanged = !changed && interactions.length === previous.interactions.length
  const stable: Cassette = { ...next, ...(unchanged && previous.meta ? { meta: previous.meta } : {}), interactions }
  if (!next.run) return stable
  // The result came from the new run: it is stored with the kept interactions' ids, or, when
  // it quotes something they cannot give back, the new run is written whole (`vitest -u`
  // must never leave a golden result that its own replay contradicts).
  const run = carried.carryRun(next.run)
  if (!run) return next
  return { ...stable, run: previous.run && canonicalJson(previous.run as JsonValue) === canonicalJson(run as JsonValue) ? previous.run : run }
}

/** A canonical string of the parts of an interaction that are not volatile. */
function comparableForm(interaction: Interaction): string {
  const response = interaction.response
  return canonicalJson({
    request: {
      method: interaction.request.method,
      // A local server's port changes every run; it does not make the exchange different.
      url: normalizeUrlForMatching(interaction.request.url),
      headers: stableHeaders(interaction.request.headers),
      body: interaction.request.body ? comparableBody(interaction.request.body) : null,
    },
    response: response ? comparableResponse(response) : null,
    error: interaction.error ? { message: interaction.error.message, code: interaction.error.code ?? null } : null,
    step: interaction.step ? maskVolatileFields(interaction.step as unknown as JsonValue) : null,
  })
}

function comparableResponse(response: RecordedResponse): JsonValue {
  return {
    status: response.status,
    headers: replayedHeaders(response.headers),
    body: response.body ? comparableBody(response.body) : null,
    end: response.end ? { outcome: response.end.outcome, message: response.end.message ?? null } : null,
  }
}

function comparableBody(body: Body): JsonValue {
  if ('json' in body) return { json: maskVolatileFields(body.json) }
  if ('sse' in body) {
    return { sse: body.sse.map(({ t: _t, ...event }) => maskVolatileFields(event as JsonValue)) }
  }
  return body as JsonValue
}

function stableHeaders(headers: Record<string, string>): JsonValue {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (!isVolatileHeader(name)) out[name] = value
  return out
}

// Providers and their edges add headers that change on every call (rate-limit counters and
// resets, request and trace ids, cookies, organisation ids, processing times), and no list of
// them stays complete: only the response headers a client acts on decide sameness.
function replayedHeaders(headers: Record<string, string>): JsonValue {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (REPLAYED_RESPONSE_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value
  return out
}
