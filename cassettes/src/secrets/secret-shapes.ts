import { looksRandom } from './credential-context.ts'
import type { SecretRange } from './secret-range.ts'

/**
 * A named rule for a secret-shaped string. The pattern must use the `g` flag; `accept`, when
 * given, vets each match (an entropy check, so a slug that merely starts like a key stays).
 */
export interface SecretPattern {
  kind: string
  pattern: RegExp
  accept?: (match: string) => boolean
}

// A secret never starts in the middle of a word: `task-…` must not read as `sk-…`.
const start = '(?<![A-Za-z0-9_-])'
const end = '(?![A-Za-z0-9_-])'
const shape = (source: string) => new RegExp(`${start}${source}`, 'g')

/**
 * Shapes secretlint's recommended rules do not cover, or cover only in their exact current
 * length (a test key, an older format, a key cut short in a log line still leaks). They run
 * beside secretlint's rules (see `scan-text.ts`). When several rules find the same secret,
 * the first rule here names it.
 */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { kind: 'anthropic-key', pattern: shape('sk-ant-[A-Za-z0-9_-]{20,}') },
  { kind: 'openai-key', pattern: shape('sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}') },
  // A bare `sk-` is a key only when what follows is random: `sk-learn-compatible-…` is a slug.
  { kind: 'openai-key', pattern: shape(`sk-[A-Za-z0-9_-]{20,}${end}`), accept: (match) => /[0-9]/.test(match.slice(3)) && looksRandom(match.slice(3)) },
  { kind: 'google-api-key', pattern: shape('AIza[0-9A-Za-z_-]{35}') },
  { kind: 'google-oauth-token', pattern: shape('ya29\\.[0-9A-Za-z_-]{20,}') },
  { kind: 'jwt', pattern: shape(`eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*${end}`) },
  { kind: 'stripe-key', pattern: shape(`(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}${end}`) },
  { kind: 'stripe-webhook-secret', pattern: shape(`whsec_[A-Za-z0-9]{24,}${end}`) },
  { kind: 'huggingface-token', pattern: shape(`hf_[A-Za-z0-9]{30,}${end}`) },
  { kind: 'groq-key', pattern: shape(`gsk_[A-Za-z0-9]{40,}${end}`) },
  { kind: 'npm-token', pattern: shape(`npm_[A-Za-z0-9]{36}${end}`) },
  { kind: 'sendgrid-key', pattern: shape(`SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}${end}`) },
  { kind: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  // STS session tokens start with the same serialized header: `FwoGZXIvYXdz` / `IQoJb3JpZ2lu`.
  { kind: 'aws-session-token', pattern: /(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{40,}/g },
  { kind: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g },
  { kind: 'gitlab-token', pattern: shape('glpat-[A-Za-z0-9_-]{20,}') },
  { kind: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack-webhook', pattern: /(?<=hooks\.slack\.com\/)(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{16,}/g },
  { kind: 'azure-client-secret', pattern: shape(`[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}${end}`) },
  { kind: 'retrace-key', pattern: /\brt_(?:live|test)_[A-Za-z0-9]{16,}/g },
  // The whole block, not just its first line; a block cut short is masked to the end.
  { kind: 'private-key', pattern: /-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g },
]

// One pass that says whether any rule could match: most strings hold no secret, and one
// regex scan is much cheaper than one per rule.
const ANY_PATTERN = /sk-|sk_|rk_|AIza|ya29\.|eyJ|whsec_|hf_|gsk_|npm_|SG\.|AKIA|ASIA|ABIA|ACCA|FwoGZXIvYXdz|IQoJb3JpZ2lu|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack\.com|[0-9]Q~|rt_live_|rt_test_|PRIVATE KEY/

/**
 * The ranges the rules above find in `text`.
 *
 * @example
 * patternRanges('x AIza' + 'S'.repeat(35)) // → [{ start: 2, end: 41, kind: 'google-api-key' }]
 */
export function patternRanges(text: string, patterns: readonly SecretPattern[] = SECRET_PATTERNS): SecretRange[] {
  if (patterns === SECRET_PATTERNS && !ANY_PATTERN.test(text)) return []
  const out: SecretRange[] = []
  for (const { kind, pattern, accept } of patterns) {
    pattern.lastIndex = 0
    for (const match of text.matchAll(pattern)) {
      if (match[0].length === 0 || (accept && !accept(match[0]))) continue
      out.push({ start: match.index, end: match.index + match[0].length, kind })
    }
  }
  return out
}
