// Context checks: whether a name (a JSON key, a header, a query parameter, `name=` in text)
// holds a credential, and whether a value looks like one. Shape rules cannot see a 40-digit
// hex token in an `x-auth-token` header; context rules can, and they keep prose alone
// ("Use Bearer authentication") because prose fails the value checks.

/** How strongly a name says "this holds a credential". */
export type NameSensitivity = 'strong' | 'weak' | undefined

// Tails of a name (its last words once split on case and punctuation) that always hold a
// credential, whatever the value looks like.
const STRONG_TAILS = [
  'password', 'passwd', 'passphrase', 'pwd', 'secret', 'apikey', 'api key', 'access key', 'secret key', 'private key',
  'access token', 'auth token', 'refresh token', 'id token', 'session token', 'security token', 'bearer token',
  'private token', 'api token', 'authorization', 'credential', 'credentials', 'subscription key', 'account key',
  'master key', 'signing key', 'cookie', 'auth key', 'client secret',
].map((tail) => tail.split(' '))

// Tails that hold a credential only when the value looks random enough (`key`, `token`).
// Not `signature`: a signature (Anthropic's thinking blocks, webhooks) proves, it grants nothing.
const WEAK_TAILS = ['token', 'key', 'auth'].map((tail) => [tail])

// Names whose value is opaque but not a credential: pagination cursors, cache and
// idempotency keys, public keys, tokenizer settings.
const NEVER_TAILS = [
  'page token', 'next token', 'continuation token', 'sync token', 'idempotency key', 'cache key', 'public key',
  'publishable key', 'sort key', 'partition key', 'primary key', 'foreign key', 'eos token', 'bos token', 'pad token',
  'unk token', 'stop token', 'sep token', 'cls token', 'mask token', 'row key', 'group key', 'dedupe key', 'dedup key',
].map((tail) => tail.split(' '))

const sensitivityCache = new Map<string, NameSensitivity>()

/**
 * Splits a name into lower-case words: `xApiKey`, `X-Api-Key` and `x_api_key` are all
 * `x api key`.
 *
 * @example
 * nameWords('OPENAI_API_KEY') // → ['openai', 'api', 'key']
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
}

const endsWith = (words: string[], tail: string[]) => tail.length <= words.length && tail.every((word, i) => words[words.length - tail.length + i] === word)

/**
 * Whether a field, header or parameter name holds a credential: `strong` (`password`,
 * `api_key`, `x-auth-token`… any value but a placeholder is a secret), `weak` (`token`, `key`:
 * only a random-looking value is), or undefined.
 *
 * @example
 * nameSensitivity('x-goog-api-key') // → 'strong'
 * nameSensitivity('max_tokens') // → undefined
 */
export function nameSensitivity(name: string): NameSensitivity {
  const cached = sensitivityCache.get(name)
  if (cached !== undefined || sensitivityCache.has(name)) return cached
  const words = nameWords(name)
  let result: NameSensitivity
  if (NEVER_TAILS.some((tail) => endsWith(words, tail))) result = undefined
  else if (STRONG_TAILS.some((tail) => endsWith(words, tail))) result = 'strong'
  else if (WEAK_TAILS.some((tail) => endsWith(words, tail))) result = 'weak'
  // Bounded: names come from data, and a map that only grows would be a leak.
  if (sensitivityCache.size > 5_000) sensitivityCache.clear()
  sensitivityCache.set(name, result)
  return result
}

const PLACEHOLDER =
  /^(?:\*+|x{3,}|X{3,}|\.{3,}|…|<[^>]*>|\$\{[^}]*\}?|\{\{[^}]*\}\}|%[A-Za-z_]+%|\$[A-Za-z_][A-Za-z0-9_]*|null|nil|none|undefined|true|false|redacted|changeme|placeholder|example|dummy|string|your[-_ ].*|\[redacted[^\]]*\])$/i

/**
 * True for values that stand for a credential without being one: `<token>`, `${API_KEY}`,
 * `YOUR_API_KEY`, `***`, `[REDACTED]`, `null`.
 *
 * @example
 * isPlaceholder('${OPENAI_API_KEY}') // → true
 */
export function isPlaceholder(value: string): boolean {
  return value.length === 0 || PLACEHOLDER.test(value) || value.includes('[REDACTED')
}

/**
 * Shannon entropy in bits per character. Random tokens sit near 4 (hex) to 6 (base64);
 * words and slugs sit lower.
 *
 * @example
 * shannonEntropy('aaaa') // → 0
 */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>()
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1)
  let bits = 0
  for (const count of counts.values()) {
    const p = count / text.length
    bits -= p * Math.log2(p)
  }
  return bits
}

function characterClasses(value: string): number {
  return (/[a-z]/.test(value) ? 1 : 0) + (/[A-Z]/.test(value) ? 1 : 0) + (/[0-9]/.test(value) ? 1 : 0)
}

/**
 * A value random enough to be an opaque credential: one token of 16+ characters, at least
 * two of lower case, upper case and digits, and entropy of 3 bits per character or more. A
 * word, a slug (`sk-learn-…-estimator`), a path or a URL is not.
 *
 * @example
 * looksRandom('9f86d081884c7d659a2feaa0c55ad015') // → true
 * looksRandom('authentication') // → false
 */
export function looksRandom(value: string): boolean {
  if (value.length < 16 || value.length > 8_192 || /\s/.test(value) || value.includes('://') || isPlaceholder(value)) return false
  if (characterClasses(value) < 2) return false
  return shannonEntropy(value) >= 3
}

/**
 * A value that, under a `strong` name (`password`, `api_key`), is the credential itself: one
 * token (or `<scheme> <token>`) that is not a placeholder.
 *
 * @example
 * isCredentialValue('hunter2') // → true
 * isCredentialValue('${PASSWORD}') // → false
 */
export function isCredentialValue(value: string): boolean {
  if (value.length < 4 || isPlaceholder(value)) return false
  if (!/\s/.test(value)) return true
  const scheme = /^(?:Bearer|Basic|Token|Digest|ApiKey|Key)\s+(\S+)$/i.exec(value)
  return scheme !== null && !isPlaceholder(scheme[1]!)
}

/**
 * A value written after a credential word in free text (`password: Summer2024`): one token
 * of 6+ characters with a digit, an inner capital or a symbol, and not an e-mail address or
 * another label (`credentials: api_key:`), so `password: required` and
 * `Incorrect credentials: hf_transfer …` stay.
 *
 * @example
 * isInlineCredential('Summer2024') // → true
 * isInlineCredential('required') // → false
 */
export function isInlineCredential(value: string): boolean {
  if (value.length < 6 || value.endsWith(':') || isPlaceholder(value) || /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(value)) return false
  return /[0-9]/.test(value) || /[a-z][A-Z]/.test(value) || /[!@#$%^&*+=~?|]/.test(value)
}
