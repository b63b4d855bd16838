// Deterministic generators of hostile input for the fuzz tests: random bytes, wrong types,
// huge numbers, deep nesting, invalid UTF-8, injection strings in every field.

/** A small seeded PRNG (mulberry32): the same seed gives the same inputs. */
export function createRandom(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
  const int = (max: number) => Math.floor(next() * max)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  return { next, int, pick }
}
export type Random = ReturnType<typeof createRandom>

export const INJECTIONS = [
  "'; DROP TABLE traces; --",
  '" OR 1=1 --',
  "1' UNION SELECT hash FROM api_keys --",
  '$1',
  '?',
  '\\',
  '{"$ne":null}',
  '__proto__',
  'constructor',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\uffff\ufffe',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '%00%ff%fe',
  ''.padEnd(5000, 'x'),
  '',
  ' ',
  '🦀'.repeat(100),
  'NaN',
  '-0',
  'null',
  'true',
]

export const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  2 ** 63,
  Number.MAX_SAFE_INTEGER + 2,
  0.1,
  -0.5,
  '',
  'string',
  [],
  [1, 2],
  {},
  { nested: { deeper: [1, { x: 'y' }] } },
  ...INJECTIONS,
]

/** One of WEIRD_VALUES, copied (mutations must not reach the shared list). */
export function weird(random: Random): unknown {
  return structuredClone(random.pick(WEIRD_VALUES))
}

/** A value nested `depth` levels deep. */
export function deep(depth: number, random: Random): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = random.next() < 0.5 ? [value] : { a: value }
  return value
}

/** A valid event the mutations start from. */
export function validEvent(random: Random, n: number): Record<string, any> {
  const traceId = `fuzz-trace-${random.int(20)}`
  const at = new Date(Date.UTC(2026, 0, 1) + n).toISOString()
  switch (random.int(4)) {
    case 0:
      return { type: 'trace.start', id: `${traceId}:start:${n}`, trace: { id: traceId, name: 'agent', startedAt: at, sessionId: 's', tags: ['a'], metadata: { k: 'v' }, input: { q: 1 } } }
    case 1:
      return { type: 'trace.end', id: `${traceId}:end:${n}`, trace: { id: traceId, endedAt: at, status: 'completed', totals: { inputTokens: 1, outputTokens: 1, usd: 0.1, durationMs: 5 } } }
    case 2:
      return { type: 'trace.lossy', id: `${traceId}:lossy:${n}`, lossy: { traceId, droppedEvents: 2 } }
    default:
      return {
        type: 'span',
        id: `fuzz-span-${n}`,
        span: {
          id: `fuzz-span-${n}`,
          traceId,
          parentId: 'p',
          kind: 'llm',
          name: 'call',
          startedAt: at,
          endedAt: at,
          durationMs: 3,
          status: 'ok',
          input: { a: 1 },
          step: { provider: 'openai', api: 'x', operation: 'chat', streamed: false, complete: true, input: [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }], tools: [], output: [], usage: { inputTokens: 1, outputTokens: 2 }, costUsd: 0.01 },
        },
      }
  }
}

/** Every path to a leaf (or object) inside a value. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix]
  const out: string[][] = prefix.length ? [prefix] : []
  for (const [key, child] of Object.entries(value)) out.push(...paths(child, [...prefix, key]))
  return out
}

/** A valid event with one field replaced by a weird value, an injection string, or removed. */
export function mutatedEvent(random: Random, n: number): unknown {
  const event = validEvent(random, n)
  const all = paths(event)
  const mutations = 1 + random.int(3)
  for (let m = 0; m < mutations; m++) {
    const path = random.pick(all)
    let parent: any = event
    for (const part of path.slice(0, -1)) parent = parent?.[part]
    if (parent === null || typeof parent !== 'object') continue
    const last = path[path.length - 1]!
    const roll = random.next()
    if (roll < 0.15) delete parent[last]
    else if (roll < 0.25) parent[last] = deep(50 + random.int(900), random)
    else parent[last] = weird(random)
  }
  if (random.next() < 0.1) event[random.pick(INJECTIONS)] = weird(random)
  return event
}

/** Random bytes, some of them invalid UTF-8. */
export function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = random.int(256)
  return bytes
}

/**
 * One malformed frame or body: random bytes, broken JSON, invalid UTF-8 inside JSON, a
 * non-batch, a batch with a bad envelope, or a batch of mutated events.
 */
export function malformedPayload(random: Random, n: number): string | Buffer {
  const kind = random.int(10)
  switch (kind) {
    case 0:
      return randomBytes(random, 1 + random.int(300))
    case 1:
      return JSON.stringify({ type: 'batch', batchId: `f${n}`, events: [validEvent(random, n)] }).slice(0, 10 + random.int(100))
    case 2:
      return Buffer.concat([Buffer.from(`{"type":"batch","batchId":"u${n}","events":[{"type":"span","id":"`), randomBytes(random, 8), Buffer.from('"}]}')])
    case 3:
      return JSON.stringify(weird(random))
    case 4:
      return JSON.stringify({ type: random.pick(['batch', 'register', 'pong', 'ack', 'BATCH', 7]), batchId: weird(random), events: weird(random) })
    case 5: {
      // Built as text: deeper than JSON.stringify itself can go.
      const depth = 1000 + random.int(20_000)
      return `{"type":"batch","batchId":"d${n}","events":[${'['.repeat(depth)}${']'.repeat(depth)}]}`
    }
    case 6:
      return JSON.stringify({ type: 'register', sdk: weird(random), protocol: random.pick([1, 2, '1', null]), resumable: weird(random) })
    default:
      return JSON.stringify({ type: 'batch', batchId: `m${n}-${random.pick(INJECTIONS)}`, events: Array.from({ length: 1 + random.int(5) }, (_, i) => mutatedEvent(random, n * 10 + i)) })
  }
}
