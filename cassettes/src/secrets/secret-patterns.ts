/** A named rule for a secret-shaped string. The pattern must use the `g` flag. */
export interface SecretPattern {
  kind: string
  pattern: RegExp
}

// A secret never starts in the middle of a word: `task-…` must not read as `sk-…`.
const start = '(?<![A-Za-z0-9_-])'

/**
 * Shapes of credentials that must never reach a cassette. Order matters: the first rule
 * that matches names the finding (`sk-ant-…` is an Anthropic key, not an OpenAI one).
 */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'anthropic-key', pattern: new RegExp(`${start}sk-ant-[A-Za-z0-9_-]{20,}`, 'g') },
  { kind: 'openai-key', pattern: new RegExp(`${start}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, 'g') },
  { kind: 'google-api-key', pattern: new RegExp(`${start}AIza[0-9A-Za-z_-]{35}`, 'g') },
  { kind: 'bearer-token', pattern: /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'retrace-key', pattern: /\brt_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { kind: 'private-key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g },
]

/** What a redacted secret is replaced with; readable in a diff and never secret-shaped itself. */
export function redactionMarker(kind: string): string {
  return `[REDACTED:${kind}]`
}

// One pass that says whether any rule could match: most strings hold no secret, and one
// regex scan is much cheaper than one per rule.
const ANY_DEFAULT_SECRET = new RegExp(SECRET_PATTERNS.map(({ pattern }) => `(?:${pattern.source})`).join('|'), 'i')

/**
 * Replaces every secret-shaped substring of `text` with a `[REDACTED:<kind>]` marker.
 * Returns the input string itself (same reference) when nothing matched, so callers can
 * skip work on the common path.
 *
 * @example
 * redactSecretStrings('key=sk-proj-' + 'a'.repeat(30)) // 'key=[REDACTED:openai-key]'
 */
export function redactSecretStrings(text: string, patterns: readonly SecretPattern[] = SECRET_PATTERNS): string {
  if (patterns === SECRET_PATTERNS && !ANY_DEFAULT_SECRET.test(text)) return text
  let out = text
  for (const { kind, pattern } of patterns) {
    pattern.lastIndex = 0
    if (!pattern.test(out)) continue
    pattern.lastIndex = 0
    // Bearer tokens keep their scheme so the header still reads as what it was.
    out = out.replace(pattern, (match) => (kind === 'bearer-token' ? `${match.split(/\s+/)[0]} ${redactionMarker(kind)}` : redactionMarker(kind)))
  }
  return out
}

/**
 * The first rule matching `text`, if any.
 *
 * @example
 * detectSecret('AIza' + 'x'.repeat(35)) // 'google-api-key'
 */
export function detectSecret(text: string, patterns: readonly SecretPattern[] = SECRET_PATTERNS): string | undefined {
  for (const { kind, pattern } of patterns) {
    pattern.lastIndex = 0
    if (pattern.test(text)) return kind
  }
  return undefined
}
