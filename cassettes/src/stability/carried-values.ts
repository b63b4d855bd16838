import { isJsonObject, type JsonValue } from '../json/json-value.ts'
import type { RecordedRun } from '../schema/cassette.ts'
import type { Interaction } from '../schema/interaction.ts'
import { VOLATILE_BODY_KEYS } from './volatile-fields.ts'

// Generated ids are random and long: shorter strings could be ordinary words or numbers.
const MIN_ID_LENGTH = 6
// An id this long is unique enough to be replaced inside longer text ("called call_abc… in …").
const MIN_EMBEDDED_LENGTH = 12
// A number this large is a timestamp, not a count: it is mapped wherever the result holds it.
const MIN_TIMESTAMP = 1_000_000

/**
 * The values a re-recorded run saw where the interactions kept from the previous recording
 * say something else (generated ids, creation times, request-id and rate-limit headers).
 * Later interactions and the run's result are written with the kept values, so the file
 * reads as one consistent run: what replaying it would give back.
 *
 * @example
 * const interaction = (id: string, answer: string) => ({ request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {} }, response: { status: 200, headers: {}, body: { json: { id, choices: [{ message: { content: answer } }] } } } })
 * const carried = new CarriedValues()
 * // A re-recording gave a new id for the same answer: the kept (committed) one is carried over.
 * carried.collect(interaction('chatcmpl-new', 'Sunny.'), interaction('chatcmpl-old', 'Sunny.'))
 * carried.carryRun({ result: { reply: 'Sunny.', completion: 'chatcmpl-new' } }) // → { result: { reply: 'Sunny.', completion: 'chatcmpl-old' } }
 */
export class CarriedValues {
  /** Ids in volatile body fields, new → old: safe to replace anywhere they recur. */
  readonly #ids = new Map<string, string>()
  /** Other differing strings (header values), new → old: replaced in the run's result only. */
  readonly #strings = new Map<string, string>()
  /** Differing volatile numbers (creation times), new → old. */
  readonly #numbers = new Map<number, number>()
  /** Differing values with no safe mapping (short counters): a result quoting one is unsound. */
  readonly #unmapped = new Set<string>()

  get hasIds(): boolean {
    return this.#ids.size > 0
  }

  /** Records how a fresh interaction differs from the kept one that stands in for it. */
  collect(fresh: Interaction, kept: Interaction): void {
    const { timing: _freshTiming, ...freshRest } = fresh
    const { timing: _keptTiming, ...keptRest } = kept
    this.#walk(withoutEventTimes(freshRest as JsonValue), withoutEventTimes(keptRest as JsonValue), undefined, false)
  }

  /** A fresh value with the ids seen so far replaced by the kept ones (for later interactions). */
  remapIds<T extends JsonValue>(value: T): T {
    if (this.#ids.size === 0) return value
    return mapJson(value, (text) => this.#ids.get(text) ?? text, (number) => number) as T
  }

  /**
   * The run's outcome with every carried value replaced, or undefined when it quotes a value
   * the kept interactions cannot give back (then only a recording from scratch is consistent).
   */
  carryRun(run: RecordedRun): RecordedRun | undefined {
    const strings = new Map([...this.#strings, ...this.#ids])
    const embedded = [...strings].filter(([fresh]) => fresh.length >= MIN_EMBEDDED_LENGTH)
    const replaceText = (text: string): string => {
      const exact = strings.get(text)
      if (exact !== undefined) return exact
      let out = text
      for (const [fresh, kept] of embedded) if (out.includes(fresh)) out = out.replaceAll(fresh, kept)
      return out
    }
    const replaceNumber = (value: number, key: string | undefined): number => {
      const kept = this.#numbers.get(value)
      return kept !== undefined && (Math.abs(value) >= MIN_TIMESTAMP || (key !== undefined && VOLATILE_BODY_KEYS.has(key))) ? kept : value
    }
    const carried = mapJson(run as JsonValue, replaceText, replaceNumber) as RecordedRun
    // What is left of the new run's own values after the mapping: shorter ids inside text,
    // and values that had no mapping at all.
    const exact = new Set([...this.#unmapped].filter((fresh) => fresh.length < MIN_EMBEDDED_LENGTH))
    const inside = [...[...this.#unmapped].filter((fresh) => fresh.length >= MIN_EMBEDDED_LENGTH), ...strings.keys()]
    let sound = true
    mapJson(
      carried as JsonValue,
      (text) => {
        if (exact.has(text) || inside.some((fresh) => text.includes(fresh))) sound = false
        return text
      },
      (number) => number,
    )
    return sound ? carried : undefined
  }

  #walk(fresh: JsonValue, kept: JsonValue, key: string | undefined, inHeaders: boolean): void {
    if (Array.isArray(fresh) && Array.isArray(kept)) {
      fresh.forEach((item, index) => kept[index] !== undefined && this.#walk(item, kept[index]!, key, inHeaders))
      return
    }
    if (isJsonObject(fresh) && isJsonObject(kept)) {
      for (const [name, item] of Object.entries(fresh)) {
        if (name in kept) this.#walk(item, kept[name]!, name, inHeaders || name === 'headers')
      }
      return
    }
    if (fresh === kept) return
    const volatileKey = !inHeaders && key !== undefined && VOLATILE_BODY_KEYS.has(key)
    if (typeof fresh === 'string' && typeof kept === 'string') {
      if (fresh.length < MIN_ID_LENGTH) this.#unmapped.add(fresh)
      else (volatileKey ? this.#ids : this.#strings).set(fresh, kept)
    } else if (typeof fresh === 'number' && typeof kept === 'number' && volatileKey) this.#numbers.set(fresh, kept)
    else if (typeof fresh === 'string' || typeof fresh === 'number') this.#unmapped.add(String(fresh))
  }
}

/** SSE events without their arrival times (they differ on every recording and mean nothing). */
function withoutEventTimes(value: JsonValue): JsonValue {
  return mapJsonObjects(value, (object) => {
    if (!Array.isArray(object['sse'])) return object
    return { ...object, sse: object['sse'].map((event) => (isJsonObject(event) ? withoutKey(event, 't') : event)) }
  })
}

function withoutKey(object: { [key: string]: JsonValue }, key: string): { [key: string]: JsonValue } {
  const { [key]: _dropped, ...rest } = object
  return rest
}

function mapJsonObjects(value: JsonValue, map: (object: { [key: string]: JsonValue }) => { [key: string]: JsonValue }): JsonValue {
  if (Array.isArray(value)) return value.map((item) => mapJsonObjects(item, map))
  if (!isJsonObject(value)) return value
  const out: { [key: string]: JsonValue } = {}
  for (const [name, item] of Object.entries(value)) out[name] = mapJsonObjects(item, map)
  return map(out)
}

/** A copy with every string (values and object keys) and number passed through the mappers. */
function mapJson(value: JsonValue, text: (value: string) => string, number: (value: number, key: string | undefined) => number, key?: string): JsonValue {
  if (typeof value === 'string') return text(value)
  if (typeof value === 'number') return number(value, key)
  if (Array.isArray(value)) return value.map((item) => mapJson(item, text, number, key))
  if (!isJsonObject(value)) return value
  const out: { [key: string]: JsonValue } = {}
  for (const [name, item] of Object.entries(value)) out[text(name)] = mapJson(item, text, number, name)
  return out
}
