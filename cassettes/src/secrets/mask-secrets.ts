import type { SecretFinding } from '../errors/cassette-secret-error.ts'
import { formatJsonPath } from '../json/json-path.ts'
import type { JsonValue } from '../json/json-value.ts'
import { cheapRanges, needsSecretlint, reportSecrets, secretlintBatch, type ExtraRules } from './scan-text.ts'
import { applyRanges, mergeRanges, redactionMarker, type SecretRange } from './secret-range.ts'

/** Options of `maskSecrets` / `scanForSecrets`: extra rules for one recording (all optional). */
export type SecretMaskOptions = ExtraRules

/** What `maskSecrets` returns: the masked copy and where the secrets were. */
export interface MaskedValue {
  /** A copy with every secret replaced by `[REDACTED:<kind>]`; the input itself when it held none. */
  value: JsonValue
  /** One entry per string that held a secret (its JSON path and the first rule that matched). */
  findings: SecretFinding[]
}

// The fields streamed piece by piece in server-sent events (OpenAI chat and Responses,
// Anthropic, Gemini): a key can be split over several events, so each stream of pieces is
// joined, scanned whole, and the redaction spread back over its pieces.
const STREAMED_FIELDS = new Set(['content', 'text', 'arguments', 'partial_json', 'delta', 'thinking', 'reasoning', 'reasoning_content', 'refusal'])
// Fields that tell parallel streams apart (tool call 0 and 1, content block 2, output item 3).
const STREAM_INDEX_FIELDS = ['index', 'output_index', 'content_index', 'item_id'] as const

/** Where a streamed piece sits: a parent chain, spelt out only for streamed fields. */
interface StreamLink {
  parent: StreamLink | undefined
  step: string | number
  /** The object holding this field: its index fields (`index`, `output_index`…) tell parallel streams apart. */
  owner?: JsonRecord
}

function streamPath(link: StreamLink | undefined): string {
  let out = ''
  for (let at = link; at; at = at.parent) {
    const tag = at.owner ? STREAM_INDEX_FIELDS.map((field) => (at!.owner![field] === undefined ? '' : String(at!.owner![field]))).join(',') : ''
    out = `${typeof at.step === 'number' ? `[${at.step}]` : `{${tag}}.${at.step}`}${out}`
  }
  return out
}

/** A JSON path kept as a parent chain: deep values do not copy their path at every level. */
interface PathLink {
  parent: PathLink | undefined
  segment: string | number
}

function pathOf(link: PathLink | undefined): string {
  const segments: Array<string | number> = []
  for (let at = link; at; at = at.parent) segments.push(at.segment)
  return formatJsonPath(segments.reverse())
}

const child = (parent: PathLink | undefined, segment: string | number): PathLink => ({ parent, segment })

type JsonRecord = Record<string, unknown>
const isRecord = (value: unknown): value is JsonRecord => typeof value === 'object' && value !== null && !Array.isArray(value)

/** One piece of a streamed field: the object and key holding it, in event order. */
interface StreamPiece {
  holder: JsonRecord
  key: string
}

interface Stream {
  name: string
  pieces: StreamPiece[]
  joined: string
}

/** The rewrite of one piece: its new text, and the rule that names a secret starting in it. */
interface PieceEdit {
  text: string
  kind: string | undefined
}

/**
 * Masks every secret in a JSON value: secretlint's recommended rules plus Retrace's extra
 * shapes and context checks (a credential-named field, `Bearer …`, `user:pass@`, keys in
 * base64). Streamed server-sent events (`{ sse: [...] }`) are scanned as the text they add
 * up to, so a key split over deltas is masked in every delta. Pure: the input is never
 * changed, and comes back as is when it holds no secret. This is the one implementation
 * behind cassette redaction, the runtime SDK's events and a server's scan of what it stores.
 *
 * @example
 * const { value, findings } = maskSecrets({ config: { stripe: 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc' } })
 * value // → { config: { stripe: '[REDACTED:stripe-key]' } }
 * findings // → [{ path: '$.config.stripe', kind: 'stripe-key' }]
 */
export function maskSecrets(value: unknown, options: SecretMaskOptions = {}): MaskedValue {
  const plan = new MaskPlan(options)
  plan.visit(value)
  if (!plan.finish()) return { value: value as JsonValue, findings: [] }
  return plan.rewrite(value)
}

/**
 * Where the secrets in a JSON value are, by JSON path, without keeping them: the check
 * before a cassette is written, `retrace cassette lint`, and what a server runs on what it
 * is about to store.
 *
 * @example
 * scanForSecrets({ headers: { authorization: 'Bearer abcdefgh12345' } })
 * // → [{ path: '$.headers.authorization', kind: 'bearer-token' }]
 */
export function scanForSecrets(value: unknown, options: SecretMaskOptions = {}): SecretFinding[] {
  return maskSecrets(value, options).findings
}

/**
 * Two passes: the first runs the cheap rules on every string and gathers the strings
 * secretlint must see (one secretlint pass for all of them); the second, only when
 * something was found, builds the masked copy and the findings.
 */
class MaskPlan {
  readonly #rules: ExtraRules
  readonly #candidates = new Set<string>()
  readonly #streams: Stream[] = []
  readonly #edits = new Map<JsonRecord, Map<string, PieceEdit>>()
  /** Every streamed piece: masked only as part of its stream, never alone. */
  readonly #pieces = new Map<JsonRecord, Set<string>>()
  #secretlint = new Map<string, SecretRange[]>()
  #dirty = false

  constructor(rules: ExtraRules) {
    this.#rules = rules
  }

  #note(text: string, name: string | undefined): void {
    if (!this.#dirty && cheapRanges(text, { name }, this.#rules).length > 0) this.#dirty = true
    if (needsSecretlint(text)) this.#candidates.add(text)
  }

  #ranges(text: string, name: string | undefined): SecretRange[] {
    const ranges = cheapRanges(text, { name }, this.#rules)
    const found = this.#secretlint.get(text)
    return mergeRanges(found?.length ? [...ranges, ...found] : ranges)
  }

  /** First pass (iterative: a deeply nested body must not overflow the stack). */
  visit(root: unknown): void {
    // Two parallel stacks instead of one object per node: this walk runs on every request.
    const nodes: unknown[] = [root]
    const names: Array<string | undefined> = [undefined]
    while (nodes.length) {
      const node = nodes.pop()
      const name = names.pop()
      if (typeof node === 'string') this.#note(node, name)
      else if (Array.isArray(node)) {
        for (let i = node.length - 1; i >= 0; i--) {
          nodes.push(node[i])
          names.push(name)
        }
      } else if (isRecord(node)) {
        for (const key in node) {
          if (!Object.hasOwn(node, key)) continue
          const item = node[key]
          this.#note(key, undefined)
          if (key === 'sse' && isEventList(item)) this.#planStream(item, nodes, names)
          else {
            nodes.push(item)
            names.push(key)
          }
        }
      }
    }
  }

  /** Groups the streamed fields of a list of server-sent events; everything else is left for `visit`. */
  #planStream(events: readonly JsonRecord[], nodes: unknown[], names: Array<string | undefined>): void {
    const streams = new Map<string, Stream>()
    for (const event of events) {
      for (const key in event) {
        if (!Object.hasOwn(event, key)) continue
        const item = event[key]
        this.#note(key, undefined)
        if (key !== 'data' || !isRecord(item)) {
          nodes.push(item)
          names.push(key)
          continue
        }
        const rootType = typeof item['type'] === 'string' ? item['type'] : ''
        // The stream a piece belongs to is named by its path, array positions and index fields
        // included; the path is only spelt out for the (few) streamed fields.
        const stack: Array<{ node: unknown; name: string | undefined; holder: JsonRecord | undefined; at: StreamLink | undefined }> = [{ node: item, name: undefined, holder: undefined, at: undefined }]
        while (stack.length) {
          const { node, name, holder, at } = stack.pop()!
          if (typeof node === 'string' && holder && name !== undefined && STREAMED_FIELDS.has(name)) {
            const id = `${rootType}|${streamPath(at)}`
            let stream = streams.get(id)
            if (!stream) streams.set(id, (stream = { name, pieces: [], joined: '' }))
            stream.pieces.push({ holder, key: name })
            let keys = this.#pieces.get(holder)
            if (!keys) this.#pieces.set(holder, (keys = new Set()))
            keys.add(name)
          } else if (typeof node === 'string') this.#note(node, name)
          else if (Array.isArray(node)) for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], name, holder: undefined, at: { parent: at, step: i } })
          else if (isRecord(node)) {
            for (const field in node) {
              if (!Object.hasOwn(node, field)) continue
              this.#note(field, undefined)
              stack.push({ node: node[field], name: field, holder: node, at: { parent: at, step: field, owner: node } })
            }
          }
        }
      }
    }
    for (const stream of streams.values()) {
      stream.joined = stream.pieces.map(({ holder, key }) => holder[key] as string).join('')
      this.#note(stream.joined, stream.name)
      this.#streams.push(stream)
    }
  }

  /** Runs secretlint once over the gathered strings; true when there is anything to mask. */
  finish(): boolean {
    if (this.#candidates.size) {
      this.#secretlint = secretlintBatch(this.#candidates)
      for (const ranges of this.#secretlint.values()) if (ranges.length) this.#dirty = true
    }
    if (!this.#dirty) return false
    for (const stream of this.#streams) {
      const ranges = this.#ranges(stream.joined, stream.name)
      if (ranges.length === 0) continue
      reportSecrets(stream.joined, ranges, this.#rules.onSecret)
      this.#spread(stream, ranges)
    }
    return true
  }

  /** Spreads a stream's redaction over its pieces: the marker goes where the secret starts, the rest of it is cut. */
  #spread(stream: Stream, ranges: readonly SecretRange[]): void {
    let offset = 0
    for (const { holder, key } of stream.pieces) {
      const text = holder[key] as string
      const from = offset
      offset += text.length
      let out = ''
      let at = 0
      let kind: string | undefined
      for (const range of ranges) {
        if (range.end <= from || range.start >= offset) continue
        const localStart = Math.max(range.start, from) - from
        const startsHere = range.start >= from
        out += text.slice(at, localStart) + (startsHere ? (range.replacement ?? redactionMarker(range.kind)) : '')
        at = Math.min(range.end, offset) - from
        if (startsHere) kind ??= range.kind
      }
      if (at === 0 && kind === undefined && out === '') continue
      let edits = this.#edits.get(holder)
      if (!edits) this.#edits.set(holder, (edits = new Map()))
      edits.set(key, { text: out + text.slice(at), kind })
    }
  }

  /** Second pass: the masked copy and the findings, in document order. */
  rewrite(root: unknown): MaskedValue {
    const findings: SecretFinding[] = []
    const mask = (text: string, name: string | undefined, path: PathLink | undefined): string => {
      const ranges = this.#ranges(text, name)
      if (ranges.length === 0) return text
      findings.push({ path: pathOf(path), kind: ranges[0]!.kind })
      reportSecrets(text, ranges, this.#rules.onSecret)
      return applyRanges(text, ranges)
    }
    const maskKey = (key: string, path: PathLink | undefined): string => {
      const ranges = this.#ranges(key, undefined)
      if (ranges.length === 0) return key
      // A secret used as a key must not reappear in the path that reports it.
      const masked = applyRanges(key, ranges)
      findings.push({ path: pathOf(child(path, masked)), kind: ranges[0]!.kind })
      return masked
    }
    // An `entry` frame masks one key (and applies a stream edit) before its value is visited,
    // so findings come out in document order.
    type Frame =
      | { node: unknown; name: string | undefined; path: PathLink | undefined; assign: (value: unknown) => void }
      | { entry: [string, unknown]; holder: JsonRecord; copy: JsonRecord; path: PathLink | undefined }
    let result: unknown
    const stack: Frame[] = [{ node: root, name: undefined, path: undefined, assign: (value) => (result = value) }]
    while (stack.length) {
      const frame = stack.pop()!
      if ('entry' in frame) {
        const [key, item] = frame.entry
        const safeKey = maskKey(key, frame.path)
        const at = child(frame.path, safeKey)
        const edit = this.#edits.get(frame.holder)?.get(key)
        if (edit) {
          setOwn(frame.copy, safeKey, edit.text)
          if (edit.kind) findings.push({ path: pathOf(at), kind: edit.kind })
        } else if (this.#pieces.get(frame.holder)?.has(key)) setOwn(frame.copy, safeKey, item)
        else {
          const copy = frame.copy
          setOwn(copy, safeKey, undefined)
          stack.push({ node: item, name: key, path: at, assign: (value) => setOwn(copy, safeKey, value) })
        }
        continue
      }
      const { node, name, path, assign } = frame
      if (typeof node === 'string') assign(mask(node, name, path))
      else if (Array.isArray(node)) {
        const copy: unknown[] = new Array(node.length)
        assign(copy)
        for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], name, path: child(path, i), assign: (value) => (copy[i] = value) })
      } else if (isRecord(node)) {
        const copy: JsonRecord = {}
        assign(copy)
        const entries = Object.entries(node)
        for (let i = entries.length - 1; i >= 0; i--) stack.push({ entry: entries[i]!, holder: node, copy, path })
      } else assign(node)
    }
    return { value: result as JsonValue, findings }
  }
}

/** Sets an own property, even one named `__proto__` (a plain assignment would change the prototype). */
function setOwn(target: JsonRecord, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A list of server-sent events as a cassette stores them (`{ t, event?, data?, text? }`). */
function isEventList(value: unknown): value is JsonRecord[] {
  return Array.isArray(value) && value.length > 0 && value.every((event) => isRecord(event) && ('data' in event || 'text' in event || 'event' in event || 'comment' in event))
}
