// The rules for one string: secretlint's recommended set, the extra shapes in
// secret-shapes.ts, and context checks (a credential-named field, `password: …` in text,
// `Bearer <token>`, `user:pass@` in a URL, a key in base64). Pure functions, no I/O.
import { isCredentialValue, isInlineCredential, isPlaceholder, looksRandom, nameSensitivity } from './credential-context.ts'
import { applyRanges, mergeRanges, type SecretRange } from './secret-range.ts'
import { patternRanges } from './secret-shapes.ts'
import { secretlintRanges } from './secretlint-rules.ts'

/** Where a string sits, when that says something: the field, header or parameter name. */
export interface TextContext {
  /** The JSON key, header or query parameter holding the string. */
  name?: string | undefined
}

/** A user's extra replacement (the `{ pattern }` redactors), applied with the rules. */
export interface ExtraPattern {
  pattern: RegExp
  replacement: string
}

/** Rules added to the built-in ones for one recording. */
export interface ExtraRules {
  /** Extra replacements, applied with the built-in rules to every string and every reassembled stream. */
  patterns?: readonly ExtraPattern[] | undefined
  /**
   * Values already found to be secret elsewhere in the same recording (value → kind): masked
   * wherever they reappear, even where no rule would recognise them (an opaque token from an
   * auth header echoed in a response).
   */
  known?: ReadonlyMap<string, string> | undefined
  /** Called with each secret found (the secret itself), so a recording can learn it (see `known`). */
  onSecret?: ((secret: string, kind: string) => void) | undefined
}

// The keyword comes first, so the regex engine skips ahead cheaply; the name around it
// (`x-goog-api-key`, `AWS secret access key`) is read backwards from there. Then the
// connector (`=`, `:`, `=>`, ` is `) and the value.
const ASSIGNMENT =
  /(pass(?:word|wd|phrase)?|pwd|secret|token|key|auth|authorization|credentials?|cookie)(\\?["'])?(?:[ \t]{0,3}(?::=|=>|[:=])[ \t]{0,3}|[ \t]+is[ \t]+)(\\?["'])?([^\s"'\\<>,;&)}\][`]{4,})/gi
const SCHEME = /\b(Bearer|Token|Basic)[ \t]+([A-Za-z0-9._~+/=-]{8,})/gi
const USERINFO = /\b[A-Za-z][A-Za-z0-9+.-]{1,15}:\/\/([^\s/?#@"'<>\\[\]]+)@/g
const BASE64_RUN = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}/g
const KEYWORD = /pass|pwd|secret|token|key|auth|credential|cookie/
const SCHEME_WORD = /^(?:bearer|basic|token|digest)$/i

// Whether secretlint's rules could find anything in a text: every one of them needs a token
// of 16+ key characters with an upper-case letter or a digit and not only lower-case hex (no
// rule matches a bare UUID or hash), a URL with credentials, a PEM header, an AWS secret-key
// assignment or a Slack webhook host (checked against the rules in secrets.test.ts). It keeps the ~25 µs a secretlint pass costs off ordinary
// strings: field names, prose, model names.
const SECRETLINT_ANCHOR = /:\/\/[^\s/@]+@|PRIVATE KEY|secret_?access_?key|hooks\.slack\.com/i

// Character classes, by char code: 1 a key character [A-Za-z0-9_-], 2 also base64 [+/],
// 4 an upper-case letter or a digit, 8 outside lower-case hex (so not part of a UUID or hash).
const CLASS = new Uint8Array(128)
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code)
  if (/[A-Za-z0-9_-]/.test(char)) CLASS[code] = 1 | (/[A-Z0-9]/.test(char) ? 4 : 0) | (/[0-9a-f-]/.test(char) ? 0 : 8)
  else if (char === '+' || char === '/') CLASS[code] = 2
}

/**
 * One pass over `text` (a plain loop: a regex for "a run of 24" re-reads every run 24
 * times): is there a run of 16+ key characters holding a capital or a digit and not only
 * lower-case hex (what secretlint's token rules need: a UUID or a hash matches none of
 * them), and a run of 24+ base64 characters (a key in base64)?
 */
function tokenRuns(text: string): { candidate: boolean; base64: boolean } {
  // The same string is asked about twice in a row (context rules, then the secretlint gate).
  if (text === lastRuns.text) return lastRuns
  let key = 0
  let flags = 0
  let base64 = 0
  let candidate = false
  let longBase64 = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const kind = code < 128 ? CLASS[code]! : 0
    if (kind & 1) {
      key++
      flags |= kind
      if (key >= 16 && (flags & 12) === 12) candidate = true
    } else {
      key = 0
      flags = 0
    }
    if (kind) {
      if (++base64 >= 24) longBase64 = true
    } else base64 = 0
    if (candidate && longBase64) break
  }
  lastRuns = { text, candidate, base64: longBase64 }
  return lastRuns
}

let lastRuns = { text: '', candidate: false, base64: false }

/**
 * True when secretlint's rules need to look at `text` (see above).
 *
 * @example
 * needsSecretlint('What is the weather in Paris?') // → false
 */
export function needsSecretlint(text: string): boolean {
  if (text.length < 16) return false
  return tokenRuns(text).candidate || SECRETLINT_ANCHOR.test(text)
}

// secretlint's findings for recently seen strings: an agent resends its whole conversation
// on every call, so the same strings come back again and again. Bounded, short strings only.
const CACHE_LIMIT = 2_000
const CACHEABLE_CHARS = 4_096
const secretlintCache = new Map<string, SecretRange[]>()

/**
 * secretlint's findings for each text, in one pass over all of them (a pass costs the same
 * ~25 µs for one string or many, so a request's strings are scanned together).
 *
 * @example
 * const found = secretlintBatch(['a', 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc'])
 * found.get('a') // → []
 * found.get('sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc')?.map((range) => range.kind) // → ['stripe-key']
 */
export function secretlintBatch(texts: Iterable<string>): Map<string, SecretRange[]> {
  const out = new Map<string, SecretRange[]>()
  const pending: string[] = []
  for (const text of texts) {
    if (out.has(text)) continue
    const cached = secretlintCache.get(text)
    if (cached) out.set(text, cached)
    else {
      out.set(text, [])
      pending.push(text)
    }
  }
  if (pending.length === 0) return out
  // One newline between texts: every rule stops at a line break except the PEM one, whose
  // range is then split over the texts it spans.
  const joined = pending.join('\n')
  const starts: number[] = []
  let offset = 0
  for (const text of pending) {
    starts.push(offset)
    offset += text.length + 1
  }
  for (const range of secretlintRanges(joined)) {
    for (let i = indexAt(starts, range.start); i < pending.length && starts[i]! < range.end; i++) {
      const text = pending[i]!
      const from = Math.max(0, range.start - starts[i]!)
      const to = Math.min(text.length, range.end - starts[i]!)
      if (to > from) out.get(text)!.push({ start: from, end: to, kind: range.kind })
    }
  }
  for (const text of pending) {
    if (text.length > CACHEABLE_CHARS) continue
    if (secretlintCache.size >= CACHE_LIMIT) secretlintCache.delete(secretlintCache.keys().next().value!)
    secretlintCache.set(text, out.get(text)!)
  }
  return out
}

function indexAt(starts: readonly number[], position: number): number {
  let low = 0
  let high = starts.length - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if (starts[mid]! <= position) low = mid
    else high = mid - 1
  }
  return low
}

/**
 * Every rule but secretlint's (which `secretlintBatch` runs for many strings at once):
 * the extra shapes, context checks, user patterns.
 *
 * @example
 * cheapRanges('a1b2c3d4e5f60718293a4b5c6d7e8f90', { name: 'x-auth-token' }) // → [{ start: 0, end: 32, kind: 'credential' }]
 */
export function cheapRanges(text: string, context: TextContext = {}, rules: ExtraRules = {}, depth = 0): SecretRange[] {
  const sensitivity = context.name === undefined ? undefined : nameSensitivity(context.name)
  // Nothing shorter than 8 characters is a secret, unless a credential-named field holds it.
  if (text.length < 8 && sensitivity === undefined && !rules.patterns?.length && !rules.known?.size) return NONE
  const out = patternRanges(text)
  contextRanges(text, out, depth)
  if (out.length === 0 && sensitivity !== undefined) {
    // The field's name says what the value is (`"api_key": "…"`, `x-auth-token: …`).
    if ((sensitivity === 'strong' && isCredentialValue(text)) || (sensitivity === 'weak' && looksRandom(text))) out.push({ start: 0, end: text.length, kind: 'credential' })
  }
  for (const { pattern, replacement } of rules.patterns ?? []) {
    for (const match of text.matchAll(pattern)) {
      if (match[0].length > 0) out.push({ start: match.index, end: match.index + match[0].length, kind: 'pattern', replacement })
    }
  }
  if (rules.known?.size) knownRanges(text, rules.known, out)
  return out.length ? out : NONE
}

const NONE: SecretRange[] = []
Object.freeze(NONE)

// One regex per set of known secrets (rebuilt when the set grows), so each string is read once.
const knownMatchers = new WeakMap<ReadonlyMap<string, string>, { size: number; pattern: RegExp }>()

function knownRanges(text: string, known: ReadonlyMap<string, string>, out: SecretRange[]): void {
  let matcher = knownMatchers.get(known)
  if (!matcher || matcher.size !== known.size) {
    const alternatives = [...known.keys()].sort((a, b) => b.length - a.length).map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    matcher = { size: known.size, pattern: new RegExp(alternatives.join('|'), 'g') }
    knownMatchers.set(known, matcher)
  }
  for (const match of text.matchAll(matcher.pattern)) out.push({ start: match.index, end: match.index + match[0].length, kind: known.get(match[0]) ?? 'credential' })
}

// Letters that start a context keyword (bearer, basic, token, pass, pwd, secret, key, auth,
// credential, cookie) or a URL's `://`: a string without any skips the context rules.
const CONTEXT_START = /[bBtTpPsSkKaAcC:]/

function contextRanges(text: string, out: SecretRange[], depth: number): void {
  if (!CONTEXT_START.test(text)) return
  const lower = text.toLowerCase()
  if (lower.includes('bearer') || lower.includes('token') || lower.includes('basic')) {
    for (const match of text.matchAll(SCHEME)) {
      const scheme = match[1]!.toLowerCase()
      const token = match[2]!
      const at = match.index + match[0].length - token.length
      if (scheme === 'basic') {
        const decoded = decodeBase64(token)
        if (decoded !== undefined && decoded.includes(':')) out.push({ start: at, end: at + token.length, kind: 'basic-auth' })
      } else if (isSchemeToken(token)) out.push({ start: at, end: at + token.length, kind: scheme === 'bearer' ? 'bearer-token' : 'auth-token' })
    }
  }
  if (KEYWORD.test(lower)) {
    for (const match of text.matchAll(ASSIGNMENT)) {
      const value = match[4]!
      // A scheme word is the Bearer/Basic rule's business, a URL the userinfo rule's.
      if (SCHEME_WORD.test(value) || value.includes('://')) continue
      const sensitivity = nameSensitivity(nameBefore(text, match.index) + match[1]!)
      // `"password": "…"` is a field, judged like a JSON field; `password: …` in prose needs a
      // value that looks like a credential.
      const quoted = match[2] !== undefined && match[3] !== undefined
      const strong = quoted ? isCredentialValue(value) : isInlineCredential(value)
      if ((sensitivity === 'strong' && strong) || (sensitivity === 'weak' && looksRandom(value))) {
        const at = match.index + match[0].length - value.length
        out.push({ start: at, end: at + value.length, kind: 'credential' })
      }
    }
  }
  if (lower.includes('://')) {
    for (const match of text.matchAll(USERINFO)) {
      const userinfo = match[1]!
      const colon = userinfo.indexOf(':')
      const password = colon < 0 ? '' : userinfo.slice(colon + 1)
      if ((colon >= 0 && !isPlaceholder(password)) || (colon < 0 && looksRandom(userinfo))) {
        const at = match.index + match[0].length - 1 - userinfo.length
        out.push({ start: at, end: at + userinfo.length, kind: 'url-credentials' })
      }
    }
  }
  if (depth > 0 || !tokenRuns(text).base64) return
  for (const match of text.matchAll(BASE64_RUN)) {
    // A key written in base64 (`c2tfbGl2ZV8…`): decoded, it must be text that holds a secret.
    if (match[0].length > 16_384) continue
    const decoded = decodeBase64(match[0])
    if (decoded === undefined) continue
    const inner = cheapRanges(decoded, {}, {}, depth + 1)
    if (inner.length || (needsSecretlint(decoded) && secretlintBatch([decoded]).get(decoded)!.length)) out.push({ start: match.index, end: match.index + match[0].length, kind: 'base64-secret' })
  }
}

const NAME_CHAR = /[A-Za-z0-9_.-]/

/**
 * The rest of a name that ends at `end` with a credential keyword: the characters joined to
 * it (`x-goog-api-`, `AWS_SECRET_ACCESS_`) and up to three words before it
 * (`AWS secret access `).
 */
function nameBefore(text: string, end: number): string {
  let start = end
  while (start > 0 && NAME_CHAR.test(text[start - 1]!)) start--
  for (let words = 0; words < 3 && start > 1 && text[start - 1] === ' ' && NAME_CHAR.test(text[start - 2]!); words++) {
    start--
    while (start > 0 && NAME_CHAR.test(text[start - 1]!)) start--
  }
  return text.slice(start, end)
}

function isSchemeToken(token: string): boolean {
  if (isPlaceholder(token)) return false
  return looksRandom(token) || (/[0-9]/.test(token) && /[A-Za-z]/.test(token))
}

/** The text a base64 (or base64url) run stands for, if it decodes to printable text. */
function decodeBase64(run: string): string | undefined {
  const bytes = Buffer.from(run.replaceAll('-', '+').replaceAll('_', '/'), 'base64')
  if (bytes.length < 8) return undefined
  for (const byte of bytes) {
    if ((byte < 0x20 || byte > 0x7e) && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return undefined
  }
  return bytes.toString('latin1')
}

/**
 * Every secret in one string, by every rule.
 *
 * @example
 * findSecretRanges('Use Bearer authentication') // → []
 */
export function findSecretRanges(text: string, context: TextContext = {}, rules: ExtraRules = {}): SecretRange[] {
  const ranges = cheapRanges(text, context, rules)
  const found = needsSecretlint(text) ? secretlintBatch([text]).get(text)! : NONE
  return found.length ? mergeRanges([...ranges, ...found]) : mergeRanges(ranges)
}

/**
 * `text` with every secret replaced by a `[REDACTED:<kind>]` marker (or the user pattern's
 * replacement). The same string comes back (same reference) when nothing matched. Markers
 * are never secret-shaped, so masking twice changes nothing.
 *
 * @example
 * maskSecretText('password: Summer2024!') // → 'password: [REDACTED:credential]'
 * maskSecretText('9f86d081884c7d659a2feaa0c55ad015', { name: 'x-auth-token' }) // → '[REDACTED:credential]'
 */
export function maskSecretText(text: string, context: TextContext = {}, rules: ExtraRules = {}): string {
  const ranges = findSecretRanges(text, context, rules)
  if (ranges.length === 0) return text
  reportSecrets(text, ranges, rules.onSecret)
  return applyRanges(text, ranges)
}

/**
 * Hands each secret (built-in rules only: a user's pattern says nothing about secrecy) to
 * `onSecret`.
 *
 * @example
 * const text = 'token sk-proj-' + 'a'.repeat(40)
 * const seen: string[] = []
 * reportSecrets(text, findSecretRanges(text), (_secret, kind) => seen.push(kind))
 * seen // → ['openai-key']
 */
export function reportSecrets(text: string, ranges: readonly SecretRange[], onSecret: ExtraRules['onSecret']): void {
  if (!onSecret) return
  for (const range of ranges) if (range.kind !== 'pattern') onSecret(text.slice(range.start, range.end), range.kind)
}
