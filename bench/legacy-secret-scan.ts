// The secret redaction and scan Retrace shipped before issue 8 (a list of nine regexes over
// every string), kept here only as the baseline the `secret-scan` measurement compares the
// current rules against. Not used anywhere else.
import type { Cassette, Interaction, JsonValue } from '@retrace/cassettes'

const start = '(?<![A-Za-z0-9_-])'
const LEGACY_PATTERNS: ReadonlyArray<{ kind: string; pattern: RegExp }> = [
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
const ANY = new RegExp(LEGACY_PATTERNS.map(({ pattern }) => `(?:${pattern.source})`).join('|'), 'i')

function redactString(text: string): string {
  if (!ANY.test(text)) return text
  let out = text
  for (const { kind, pattern } of LEGACY_PATTERNS) {
    pattern.lastIndex = 0
    if (!pattern.test(out)) continue
    pattern.lastIndex = 0
    out = out.replace(pattern, (match) => (kind === 'bearer-token' ? `${match.split(/\s+/)[0]} [REDACTED:${kind}]` : `[REDACTED:${kind}]`))
  }
  return out
}

function mapStrings(value: JsonValue): JsonValue {
  if (typeof value === 'string') return redactString(value)
  if (Array.isArray(value)) return value.map(mapStrings)
  if (value === null || typeof value !== 'object') return value
  const out: { [key: string]: JsonValue } = {}
  for (const [key, item] of Object.entries(value)) out[key] = mapStrings(item)
  return out
}

/** The old `redaction.interaction()`: every string through the regex list. */
export function legacyRedactInteraction(interaction: Interaction): Interaction {
  return mapStrings(interaction as unknown as JsonValue) as unknown as Interaction
}

/** The old final scan: every string and key tested against the list. */
export function legacyFindSecrets(cassette: Cassette): number {
  let found = 0
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      if (ANY.test(node)) found++
    } else if (Array.isArray(node)) node.forEach(walk)
    else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        if (ANY.test(key)) found++
        walk(item)
      }
    }
  }
  walk(cassette)
  return found
}
