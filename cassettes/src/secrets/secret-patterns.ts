import { findSecretRanges, maskSecretText } from './scan-text.ts'
import { patternRanges, SECRET_PATTERNS, type SecretPattern } from './secret-shapes.ts'
import { applyRanges, mergeRanges, redactionMarker } from './secret-range.ts'

export { redactionMarker, SECRET_PATTERNS, type SecretPattern }

/**
 * Replaces every secret-shaped substring of `text` with a `[REDACTED:<kind>]` marker: by
 * default with every rule (secretlint's recommended set, the shapes above, and the context
 * checks), or with the given patterns only. Returns the input string itself (same
 * reference) when nothing matched, so callers can skip work on the common path.
 *
 * @example
 * redactSecretStrings('key=sk-proj-' + 'a'.repeat(30)) // → 'key=[REDACTED:openai-key]'
 */
export function redactSecretStrings(text: string, patterns: readonly SecretPattern[] = SECRET_PATTERNS): string {
  if (patterns === SECRET_PATTERNS) return maskSecretText(text)
  const ranges = patternRanges(text, patterns)
  return ranges.length ? applyRanges(text, ranges) : text
}

/**
 * The kind of the first secret in `text`, if any.
 *
 * @example
 * detectSecret('AIza' + 'x'.repeat(35)) // → 'google-api-key'
 */
export function detectSecret(text: string, patterns: readonly SecretPattern[] = SECRET_PATTERNS): string | undefined {
  const ranges = patterns === SECRET_PATTERNS ? findSecretRanges(text) : patternRanges(text, patterns)
  return mergeRanges(ranges)[0]?.kind
}
