import { diffWords } from 'diff'
import jsonPatch from 'fast-json-patch'
import { omitJsonPaths } from '../json/json-path.ts'
import type { JsonValue } from '../json/json-value.ts'
import type { RecordedRequest } from '../schema/interaction.ts'
import { normalizeUrlForMatching, type CompiledMatchOptions } from './request-key.ts'

/** One difference between a recorded request and the one received, by JSON path. */
export interface RequestDifference {
  /** `$.messages[1].content` for body fields; `method`, `url`, `header <name>` or `body` otherwise. */
  path: string
  kind: 'changed' | 'added' | 'removed'
  recorded?: JsonValue
  received?: JsonValue
}

/**
 * Lists what differs between a recorded request and a received one, field by field
 * (RFC 6902 operations turned into JSON paths). Pure; used for mismatch messages and
 * `retrace cassette diff`.
 *
 * @example
 * import { compileMatchOptions } from '@retrace/cassettes'
 * const request = (city: string) => ({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: city }] } } })
 * diffRequests(request('Paris'), request('Rome'), compileMatchOptions())
 * // → [{ path: '$.messages[1].content', kind: 'changed', recorded: 'Paris', received: 'Rome' }]
 */
export function diffRequests(recorded: RecordedRequest, received: RecordedRequest, options: CompiledMatchOptions): RequestDifference[] {
  const differences: RequestDifference[] = []
  if (recorded.method.toUpperCase() !== received.method.toUpperCase()) {
    differences.push({ path: 'method', kind: 'changed', recorded: recorded.method, received: received.method })
  }
  const recordedUrl = normalizeUrlForMatching(recorded.url, options.ignoreQueryParams)
  const receivedUrl = normalizeUrlForMatching(received.url, options.ignoreQueryParams)
  if (recordedUrl !== receivedUrl) differences.push({ path: 'url', kind: 'changed', recorded: recorded.url, received: received.url })
  for (const name of options.matchHeaders) {
    const a = recorded.headers[name]
    const b = received.headers[name]
    if (a !== b) differences.push({ path: `header ${name}`, kind: 'changed', recorded: a ?? null, received: b ?? null })
  }
  const a = recorded.body
  const b = received.body
  if (a && 'json' in a && b && 'json' in b) {
    const before = omitJsonPaths(a.json, options.ignorePaths)
    const after = omitJsonPaths(b.json, options.ignorePaths)
    if (isContainer(before) && isContainer(after)) {
      for (const op of jsonPatch.compare(before, after)) differences.push(fromOperation(op, before))
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      differences.push({ path: '$', kind: 'changed', recorded: before, received: after })
    }
  } else if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) {
    differences.push({ path: 'body', kind: 'changed', recorded: (a ?? null) as JsonValue, received: (b ?? null) as JsonValue })
  }
  // Readers scan a diff top to bottom: order by path so related changes sit together.
  return differences.sort((x, y) => comparePaths(x.path, y.path))
}

function isContainer(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null
}

function fromOperation(op: jsonPatch.Operation, before: JsonValue): RequestDifference {
  const path = pointerToPath(op.path)
  const recorded = valueAtPointer(before, op.path)
  if (op.op === 'add') return { path, kind: 'added', received: op.value as JsonValue }
  if (op.op === 'remove') return { path, kind: 'removed', recorded }
  return { path, kind: 'changed', recorded, received: (op as { value?: JsonValue }).value ?? null }
}

function pointerToPath(pointer: string): string {
  let out = '$'
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    out += /^\d+$/.test(key) ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `['${key}']`
  }
  return out
}

function valueAtPointer(value: JsonValue, pointer: string): JsonValue | undefined {
  let node: JsonValue | undefined = value
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    if (node === null || typeof node !== 'object') return undefined
    node = Array.isArray(node) ? node[Number(key)] : node[key]
  }
  return node
}

function comparePaths(a: string, b: string): number {
  const pad = (path: string) => path.replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(6, '0')}]`)
  return pad(a) < pad(b) ? -1 : pad(a) > pad(b) ? 1 : 0
}

const MAX_VALUE_CHARS = 240

/**
 * Renders differences for a terminal or a test failure: one block per path, long strings
 * shown as a word diff (`[-old-]{+new+}`) so the changed words stand out.
 *
 * @example
 * formatRequestDifferences([{ path: '$.messages[1].content', kind: 'changed', recorded: 'Weather in Paris?', received: 'Weather in Rome?' }, { path: '$.temperature', kind: 'added', received: 0.2 }])
 * // → '  ~ $.messages[1].content: Weather in [-Paris-]{+Rome+}?\n  + $.temperature: 0.2'
 */
export function formatRequestDifferences(differences: RequestDifference[], limit = 12): string {
  const lines: string[] = []
  for (const difference of differences.slice(0, limit)) {
    if (difference.kind === 'added') lines.push(`  + ${difference.path}: ${preview(difference.received)}`)
    else if (difference.kind === 'removed') lines.push(`  - ${difference.path}: ${preview(difference.recorded)}`)
    else if (typeof difference.recorded === 'string' && typeof difference.received === 'string') {
      lines.push(`  ~ ${difference.path}: ${wordDiff(difference.recorded, difference.received)}`)
    } else {
      lines.push(`  ~ ${difference.path}`, `      recorded: ${preview(difference.recorded)}`, `      received: ${preview(difference.received)}`)
    }
  }
  if (differences.length > limit) lines.push(`  … and ${differences.length - limit} more difference(s)`)
  return lines.join('\n')
}

function preview(value: JsonValue | undefined): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value)
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} chars)` : text
}

function wordDiff(before: string, after: string): string {
  const parts = diffWords(before, after)
  let out = ''
  for (const part of parts) {
    if (part.added) out += `{+${part.value}+}`
    else if (part.removed) out += `[-${part.value}-]`
    else out += part.value.length > 80 ? `${part.value.slice(0, 38)}…${part.value.slice(-38)}` : part.value
  }
  return JSON.stringify(out).slice(1, -1)
}
