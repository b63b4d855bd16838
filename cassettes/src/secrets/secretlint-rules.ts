// secretlint's recommended rules (@secretlint/secretlint-rule-preset-recommend), run in
// process on strings instead of files. Each rule is `create(context) → { file(source) }`;
// this adapter gives them a context that collects their reports as ranges. Pure: no file is
// read (rules that look at file names or `.p12` files get none), nothing is printed.
import { rules as presetRules } from '#secretlint-preset'
import { isPlaceholder } from './credential-context.ts'
import type { SecretRange } from './secret-range.ts'

interface SecretlintSource {
  content: string
  filePath?: string
  ext: string
  contentType: 'text'
}

interface SecretlintContext {
  report(descriptor: { message: string; range: readonly number[] }): void
  ignore(descriptor: unknown): void
  createTranslator(messages: unknown): (messageId: string, props?: Record<string, unknown>) => string
}

interface SecretlintRule {
  meta: { id: string }
  create(context: SecretlintContext, options: Record<string, unknown>): { file?(source: SecretlintSource): unknown }
}

// What a rule's finding is called in a `[REDACTED:<kind>]` marker; the names Retrace used
// before secretlint are kept so existing cassettes keep matching.
const KINDS: Record<string, string> = {
  openai: 'openai-key',
  anthropic: 'anthropic-key',
  github: 'github-token',
  slack: 'slack-token',
  privatekey: 'private-key',
  aws: 'aws-secret-key',
  stripe: 'stripe-key',
  basicauth: 'url-credentials',
  'database-connection-string': 'db-credentials',
  'hashicorp-vault': 'vault-token',
}

// `secretlint-disable` comments are for source files, not for data that passes through.
const SKIPPED = new Set(['filter-comments'])

let current: { ruleKind: string; message: { id: string; props: Record<string, unknown> } | undefined; content: string; out: SecretRange[] } | undefined

const context: SecretlintContext = {
  report({ range }) {
    if (!current || range.length < 2) return
    const found = narrowUrl(current.content, repairRange(current.content, range[0]!, range[1]!, current.message?.props, current.ruleKind))
    // Already masked (`postgres://[REDACTED:…]@db`): reporting it again would never settle.
    const secret = current.content.slice(found.start, found.end)
    if (!isPlaceholder(secret)) current.out.push(found)
  },
  ignore() {},
  createTranslator: () => (id, props = {}) => {
    if (current) current.message = { id, props }
    return id
  },
}

const handlers = (presetRules as unknown as readonly SecretlintRule[])
  .map((rule) => ({ short: rule.meta.id.replace('@secretlint/secretlint-rule-', ''), rule }))
  .filter(({ short }) => !SKIPPED.has(short))
  .map(({ short, rule }) => ({ kind: KINDS[short] ?? short, handler: rule.create(context, {}) }))

/**
 * The ranges secretlint's recommended rules report in `text`. Synchronous: every rule that
 * runs on plain text is (only file-based checks are async, and they never run here).
 *
 * @example
 * secretlintRanges('key: sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc') // → [{ start: 5, end: 37, kind: 'stripe-key' }]
 */
export function secretlintRanges(text: string): SecretRange[] {
  const out: SecretRange[] = []
  const source: SecretlintSource = { content: text, ext: '', contentType: 'text' }
  for (const { kind, handler } of handlers) {
    current = { ruleKind: kind, message: undefined, content: text, out }
    try {
      handler.file?.(source)
    } catch {
      // A rule that fails on odd input must not stop the others (or the recording).
    }
  }
  current = undefined
  return out
}

/**
 * The reported range, moved onto the secret the message names when they disagree (the AWS
 * rule reports the secret's length from the start of `aws_secret_access_key=`, not the
 * secret's own position).
 */
function repairRange(content: string, start: number, end: number, props: Record<string, unknown> | undefined, kind: string): SecretRange {
  const named = Object.values(props ?? {}).find((value): value is string => typeof value === 'string' && value.length >= 8)
  if (named && content.slice(start, end) !== named) {
    const at = content.indexOf(named, Math.max(0, start - named.length))
    if (at >= 0) return { start: at, end: at + named.length, kind }
  }
  return { start, end, kind }
}

const URL_HEAD = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^\s/@]*)@)?[^\s/?#@]*\/?/i

/**
 * A finding that is a whole URL (`https://user:pass@host`, a Slack webhook) is narrowed to
 * its secret part, the credentials or the path, so the scheme and host stay readable (and a
 * stored URL still parses).
 */
function narrowUrl(content: string, range: SecretRange): SecretRange {
  const head = URL_HEAD.exec(content.slice(range.start, range.end))
  if (!head) return range
  if (head[2]) {
    const start = range.start + head[1]!.length
    return { ...range, start, end: start + head[2].length }
  }
  return range.start + head[0].length < range.end ? { ...range, start: range.start + head[0].length } : range
}

