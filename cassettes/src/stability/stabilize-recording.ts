import { canonicalJson } from '../json/canonical-json.ts'
import { isJsonObject, type JsonValue } from '../json/json-value.ts'
import { compileMatchOptions, normalizeUrlForMatching, requestKey, type CompiledMatchOptions } from '../matching/request-key.ts'
import type { Body } from '../schema/body.ts'
import type { Cassette } from '../schema/cassette.ts'
import type { Interaction, RecordedResponse } from '../schema/interaction.ts'
import { isVolatileHeader, maskVolatileFields, VOLATILE_BODY_KEYS } from './volatile-fields.ts'

/**
 * Makes a fresh recording diff-stable against the previous file: every interaction that
 * equals a previously recorded one except for volatile values (ids, timestamps, timings,
 * request-id headers) is kept byte-for-byte as it was, and the new run's generated ids are
 * mapped back to the old ones in later requests and responses so the cassette stays
 * consistent (a tool call id from response 1 is the id request 2 sends back).
 * Re-recording an unchanged run therefore rewrites nothing.
 *
 * @example
 * const stable = stabilizeRecording(readCassetteFile(file), freshRecording)
 * await writeCassetteFile(file, stable)
 */
export function stabilizeRecording(previous: Cassette | undefined, next: Cassette, options: CompiledMatchOptions = compileMatchOptions()): Cassette {
  if (!previous || previous.interactions.length === 0) return next
  const idMap = new Map<string, string>()
  const unused = new Map<string, number[]>()
  previous.interactions.forEach((interaction, index) => {
    const key = requestKey(interaction.request, options)
    unused.set(key, [...(unused.get(key) ?? []), index])
  })
  let changed = false
  const interactions = next.interactions.map((fresh) => {
    const remapped = idMap.size > 0 ? (replaceMappedStrings(fresh as unknown as JsonValue, idMap) as unknown as Interaction) : fresh
    const candidates = unused.get(requestKey(remapped.request, options))
    const oldIndex = candidates?.[0]
    const old = oldIndex === undefined ? undefined : previous.interactions[oldIndex]
    if (old && comparableForm(old) === comparableForm(remapped)) {
      candidates!.shift()
      collectVolatilePairs(remapped as unknown as JsonValue, old as unknown as JsonValue, idMap)
      return old
    }
    changed = true
    return remapped
  })
  // The recorder's name stays as it was when nothing changed, so an upgrade alone is no diff;
  // everything else (the run's result) is the new run's.
  const unchanged = !changed && interactions.length === previous.interactions.length
  return { ...next, ...(unchanged && previous.meta ? { meta: previous.meta } : {}), interactions }
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
    headers: stableHeaders(response.headers),
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

/** Walks two equal-shaped values and maps each differing volatile string (new → old). */
function collectVolatilePairs(fresh: JsonValue, old: JsonValue, idMap: Map<string, string>, key?: string): void {
  if (typeof fresh === 'string' && typeof old === 'string') {
    if (key !== undefined && VOLATILE_BODY_KEYS.has(key) && fresh !== old && fresh.length >= 6) idMap.set(fresh, old)
    return
  }
  if (Array.isArray(fresh) && Array.isArray(old)) {
    fresh.forEach((item, index) => old[index] !== undefined && collectVolatilePairs(item, old[index]!, idMap, key))
    return
  }
  if (isJsonObject(fresh) && isJsonObject(old)) {
    for (const [name, item] of Object.entries(fresh)) if (name in old) collectVolatilePairs(item, old[name]!, idMap, name)
  }
}

function replaceMappedStrings(value: JsonValue, idMap: Map<string, string>): JsonValue {
  if (typeof value === 'string') return idMap.get(value) ?? value
  if (Array.isArray(value)) return value.map((item) => replaceMappedStrings(item, idMap))
  if (!isJsonObject(value)) return value
  const out: { [key: string]: JsonValue } = {}
  for (const [name, item] of Object.entries(value)) out[name] = replaceMappedStrings(item, idMap)
  return out
}
