// Deterministic corruptions of real cassettes, for the bad-cassette fuzz test: the damage a
// merge conflict, a hand edit, a bad editor encoding, a half-finished copy or a hostile file
// does. The same seed always gives the same mutants, so a failure names a reproducible case.

/** One corrupted cassette file. */
export interface Mutant {
  /** Position in the list: stable for a given seed. */
  id: number
  /** The cassette it was made from. */
  source: string
  /** What was done to it, e.g. `deep-nesting 10000 at $.interactions[0].response.body.json`. */
  kind: string
  bytes: Uint8Array
}

/** A small, seedable PRNG (mulberry32): the mutants must not change between runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Mutation = (text: string, random: () => number) => { kind: string; bytes: Uint8Array | string }

const encoder = new TextEncoder()
const PLACEHOLDER = '@@RETRACE_MUTANT@@'

const MUTATIONS: Mutation[] = [
  truncate,
  flipBit,
  replaceByte,
  deleteLines,
  insertGarbage,
  swapType,
  removeField,
  deepNesting,
  hugeNumber,
  invalidUtf8,
  duplicateKey,
  badHeader,
  badStatus,
  oddString,
  reshapeBody,
  wholeFile,
  duplicateInteraction,
  badSseEvent,
]

/**
 * `count` mutants of the given cassettes, cycling through every kind of mutation and every
 * source so each pairing is exercised.
 *
 * @example
 * const mutants = mutateCassettes([{ name: 'a.cassette.json', text }], 1000, 8)
 */
export function mutateCassettes(sources: ReadonlyArray<{ name: string; text: string }>, count: number, seed: number): Mutant[] {
  const random = seededRandom(seed)
  const mutants: Mutant[] = []
  for (let id = 0; id < count; id++) {
    const source = sources[id % sources.length]!
    const mutation = MUTATIONS[Math.floor(id / sources.length) % MUTATIONS.length]!
    const { kind, bytes } = mutation(source.text, random)
    mutants.push({ id, source: source.name, kind, bytes: typeof bytes === 'string' ? encoder.encode(bytes) : bytes })
  }
  return mutants
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!
const position = (random: () => number, length: number) => Math.floor(random() * length)

function truncate(text: string, random: () => number) {
  const at = position(random, text.length)
  return { kind: `truncate at ${at}`, bytes: text.slice(0, at) }
}

function flipBit(text: string, random: () => number) {
  const bytes = encoder.encode(text)
  const at = position(random, bytes.length)
  const bit = 1 << position(random, 8)
  bytes[at] = bytes[at]! ^ bit
  return { kind: `flip bit ${bit} of byte ${at}`, bytes }
}

function replaceByte(text: string, random: () => number) {
  const bytes = encoder.encode(text)
  const at = position(random, bytes.length)
  const value = pick(random, [0x00, 0x0a, 0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x5c, 0x30, 0x2d, 0x65, 0x80, 0xff, position(random, 256)])
  bytes[at] = value
  return { kind: `byte ${at} = 0x${value.toString(16)}`, bytes }
}

function deleteLines(text: string, random: () => number) {
  const lines = text.split('\n')
  const at = position(random, lines.length)
  const n = 1 + position(random, 3)
  lines.splice(at, n)
  return { kind: `delete lines ${at + 1}-${at + n}`, bytes: lines.join('\n') }
}

function insertGarbage(text: string, random: () => number) {
  const at = position(random, text.length)
  const garbage = pick(random, ['<<<<<<< HEAD\n', ',', '}', ']', '"', '\\', 'NaN', 'undefined', '// comment\n', '/*', ',,', '\u0000', '\ufeff', "'", 'true'])
  return { kind: `insert ${JSON.stringify(garbage)} at ${at}`, bytes: text.slice(0, at) + garbage + text.slice(at) }
}

/** Every value in the tree with its parent, so one can be replaced in place. */
function slots(root: Json): Array<{ parent: Json[] | { [key: string]: Json }; key: string | number; path: string }> {
  const out: Array<{ parent: Json[] | { [key: string]: Json }; key: string | number; path: string }> = []
  const walk = (value: Json, path: string) => {
    if (Array.isArray(value)) value.forEach((item, index) => (out.push({ parent: value, key: index, path: `${path}[${index}]` }), walk(item, `${path}[${index}]`)))
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        out.push({ parent: value, key, path: `${path}.${key}` })
        walk(item, `${path}.${key}`)
      }
    }
  }
  walk(root, '$')
  return out
}

function withTree(text: string, random: () => number, change: (slot: ReturnType<typeof slots>[number], root: Json) => string): { kind: string; bytes: string } {
  const root = JSON.parse(text) as Json
  const slot = pick(random, slots(root))
  const kind = change(slot, root)
  const serialized = JSON.stringify(root, null, 2)
  return { kind: `${kind} at ${slot.path}`, bytes: serialized }
}

const set = (slot: ReturnType<typeof slots>[number], value: Json) => {
  ;(slot.parent as Record<string | number, Json>)[slot.key] = value
}

function swapType(text: string, random: () => number) {
  return withTree(text, random, (slot) => {
    const value = pick<Json>(random, [null, true, 0, -1, 1.5, '', 'text', [], {}, [1, 'a'], { a: 1 }])
    set(slot, value)
    return `type swap to ${JSON.stringify(value)}`
  })
}

function removeField(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const fields = slots(root).filter((slot) => !Array.isArray(slot.parent))
  const slot = pick(random, fields)
  delete (slot.parent as Record<string, Json>)[slot.key]
  return { kind: `remove ${slot.path}`, bytes: JSON.stringify(root, null, 2) }
}

/** Replaces a placeholder string in serialised JSON by raw JSON text. */
function splice(root: Json, slot: ReturnType<typeof slots>[number], raw: string): string {
  set(slot, PLACEHOLDER)
  return JSON.stringify(root, null, 2).replace(JSON.stringify(PLACEHOLDER), () => raw)
}

function deepNesting(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const candidates = slots(root).filter((slot) => /\.(json|data|result|arguments|response|body)\b/.test(slot.path))
  const slot = pick(random, candidates.length ? candidates : slots(root))
  const depth = pick(random, [600, 2_000, 10_000])
  const shape = pick(random, ['array', 'object'])
  const raw = shape === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
  return { kind: `deep nesting ${depth} (${shape}) at ${slot.path}`, bytes: splice(root, slot, raw) }
}

function hugeNumber(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const numbers = slots(root).filter((slot) => typeof (slot.parent as Record<string | number, Json>)[slot.key] === 'number')
  const slot = pick(random, numbers.length ? numbers : slots(root))
  const raw = pick(random, ['1e309', '-1e309', '1e308', '123456789012345678901234567890', '1e-400', '-0', '9007199254740993', '0.1e99999'])
  return { kind: `number ${raw} at ${slot.path}`, bytes: splice(root, slot, raw) }
}

function invalidUtf8(text: string, random: () => number) {
  const bytes = encoder.encode(text)
  // Inside a string value, where a bad byte is not also a JSON syntax error.
  const quotes: number[] = []
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x22) quotes.push(i)
  const at = pick(random, quotes) + 1
  const bad = pick(random, [[0xff], [0xc0, 0x80], [0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3]])
  const out = new Uint8Array(bytes.length + bad.length)
  out.set(bytes.subarray(0, at))
  out.set(bad, at)
  out.set(bytes.subarray(at), at + bad.length)
  return { kind: `invalid UTF-8 ${bad.map((b) => b.toString(16)).join(' ')} at byte ${at}`, bytes: out }
}

function duplicateKey(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const objects = slots(root).filter((slot) => {
    const value = (slot.parent as Record<string | number, Json>)[slot.key]
    return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0
  })
  const slot = pick(random, objects)
  const object = (slot.parent as Record<string | number, Json>)[slot.key] as Record<string, Json>
  const key = pick(random, Object.keys(object))
  const value = pick<Json>(random, [object[key]!, 'other', 7, null])
  object[PLACEHOLDER] = null
  const raw = JSON.stringify(root, null, 2).replace(`${JSON.stringify(PLACEHOLDER)}: null`, () => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
  return { kind: `duplicate key ${JSON.stringify(key)} in ${slot.path}`, bytes: raw }
}

function headerSlots(root: Json) {
  return slots(root).filter((slot) => /\.headers\.[^.]+$/.test(slot.path))
}

function badHeader(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const slot = pick(random, headerSlots(root))
  const headers = slot.parent as Record<string, Json>
  if (random() < 0.3) {
    const name = pick(random, ['bad name', '', 'x-caf\u00e9', 'x-\u20ac', 'x:colon', 'x\nnewline'])
    headers[name] = 'value'
    return { kind: `header name ${JSON.stringify(name)} at ${slot.path}`, bytes: JSON.stringify(root, null, 2) }
  }
  const value = pick(random, ['caf\u00e9', '\u20ac 5', '\u4e2d\u6587', '\ud83d\ude00', 'a\r\nx-injected: 1', 'nul\u0000byte', 'bell\u0007', 'tab\tok', '\ud800'])
  set(slot, value)
  return { kind: `header value ${JSON.stringify(value)} at ${slot.path}`, bytes: JSON.stringify(root, null, 2) }
}

function badStatus(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const statuses = slots(root).filter((slot) => /\.response\.(status|statusText)$/.test(slot.path))
  const slot = pick(random, statuses)
  const value = slot.path.endsWith('statusText')
    ? pick<Json>(random, ['Caf\u00e9', '\u20ac', 'OK\r\nx: 1', '', 'A'.repeat(10_000)])
    : pick<Json>(random, [0, 99, 100, 101, 199, 204, 205, 304, 600, 999, 1000, -200, 200.5, 1e9])
  set(slot, value)
  return { kind: `${slot.path.endsWith('statusText') ? 'statusText' : 'status'} ${JSON.stringify(value)} at ${slot.path}`, bytes: JSON.stringify(root, null, 2) }
}

function oddString(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const strings = slots(root).filter((slot) => typeof (slot.parent as Record<string | number, Json>)[slot.key] === 'string')
  const slot = pick(random, strings)
  const value = pick(random, ['\ud800', '\udfff lone', 'x'.repeat(100_000), '\u0000', '\u2028\u2029', 'not a url', 'http://', '::', 'GET POST', '{"json": true}'])
  set(slot, value)
  return { kind: `string ${JSON.stringify(value.slice(0, 20))} at ${slot.path}`, bytes: JSON.stringify(root, null, 2) }
}

function reshapeBody(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const bodies = slots(root).filter((slot) => /\.body$/.test(slot.path))
  const slot = pick(random, bodies)
  const value = pick<Json>(random, [
    { json: 1, text: 'both' },
    { base64: '!!!not base64!!!' },
    { base64: '' },
    { text: '' },
    { sse: [] },
    { sse: [{ t: 0 }] },
    { sse: [{ t: 0, data: { a: 1 }, text: 'both' }] },
    { sse: 'events' },
    { json: null },
    {},
  ])
  set(slot, value)
  return { kind: `body ${JSON.stringify(value)} at ${slot.path}`, bytes: JSON.stringify(root, null, 2) }
}

function wholeFile(_text: string, random: () => number) {
  const content = pick(random, ['', ' ', 'null', '[]', '{}', '"cassette"', '0', '{"version":1}', '{"version":1,"interactions":{}}', '{"version":2,"interactions":[]}', '{"version":"1","interactions":[]}', '\ufeff{"version":1,"interactions":[]}', '{"version":1,"interactions":[]} trailing'])
  return { kind: `whole file ${JSON.stringify(content)}`, bytes: content }
}

function duplicateInteraction(text: string, random: () => number) {
  const root = JSON.parse(text) as { interactions: Json[] }
  const from = position(random, root.interactions.length)
  root.interactions.splice(position(random, root.interactions.length + 1), 0, structuredClone(root.interactions[from]!))
  if (random() < 0.5) root.interactions.reverse()
  return { kind: `duplicate interaction ${from}`, bytes: JSON.stringify(root, null, 2) }
}

function badSseEvent(text: string, random: () => number) {
  const root = JSON.parse(text) as Json
  const events = slots(root).filter((slot) => /\.sse\[\d+\]$/.test(slot.path))
  const slot = pick(random, events.length ? events : slots(root))
  const value = pick<Json>(random, [{ t: -1, text: 'x' }, { t: 0, retry: 'soon' }, { t: 0, comment: 'a\nb' }, { t: 0, text: 'multi\nline\r\ndata' }, { t: 1e308, text: 'late' }, { t: 0, event: 'a\nb', data: {} }, { t: 0, id: '\u0000' }, 'event'])
  set(slot, value)
  return { kind: `sse event ${JSON.stringify(value)} at ${slot.path}`, bytes: JSON.stringify(root, null, 2) }
}
