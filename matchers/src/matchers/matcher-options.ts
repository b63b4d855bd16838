import { z } from 'zod'
import { RetraceConfigError } from '@retrace/cassettes/errors'
import type { DivergenceOptions } from '@retrace/divergence'
import type { CassetteOptions } from '@retrace/core'

/** Options of `toMatchCassette` (and the cassette part of the other matchers). */
export interface MatchCassetteOptions {
  /** The cassette's name instead of the test's (`__cassettes__/<file>/<name>.cassette.json`). */
  name?: string
  /** Shorthand for `divergence.textThreshold`: how similar free text must be to count as equivalent. */
  threshold?: number
  /** Divergence engine options (thresholds, ignored paths, an embedding scorer). */
  divergence?: DivergenceOptions
  /** Cassette options (redaction, matching rules, allowed hosts, timing). */
  cassette?: CassetteOptions
}

const OptionsSchema = z.strictObject({
  name: z.string().min(1).optional(),
  threshold: z.number().min(0).max(1).optional(),
  divergence: z.looseObject({}).optional(),
  cassette: z.looseObject({}).optional(),
})

export const DEFAULTS_VARIABLE = 'RETRACE_MATCHER_DEFAULTS'
let configured: MatchCassetteOptions = {}

/**
 * Sets defaults for every matcher call in this process (a setup file), merged under each
 * call's own options. The plugins also pass their JSON options through the environment.
 *
 * @example
 * configureMatchers({ threshold: 0.7, cassette: { redact: [{ pattern: /acct_\d+/g }] } })
 * resolveMatchOptions([], 'toMatchCassette', {}).threshold // → 0.7
 * configureMatchers({}) // back to no defaults
 */
export function configureMatchers(defaults: MatchCassetteOptions): void {
  configured = parseMatchOptions(defaults, 'configureMatchers')
}

/**
 * Reads a matcher's arguments — `(name?)`, `(options?)` or `(name, options)` — validates them
 * and merges the defaults under them.
 *
 * @example
 * resolveMatchOptions(['refund flow', { threshold: 0.8 }], 'toMatchCassette', {})
 * // → { name: 'refund flow', threshold: 0.8, divergence: {}, cassette: {} }
 */
export function resolveMatchOptions(args: readonly unknown[], matcher: string, env: NodeJS.ProcessEnv = process.env): MatchCassetteOptions {
  const [first, second] = args
  const own = typeof first === 'string' ? { ...parseMatchOptions(second ?? {}, matcher), name: first } : parseMatchOptions(first ?? {}, matcher)
  const fromEnv = env[DEFAULTS_VARIABLE] ? parseMatchOptions(JSON.parse(env[DEFAULTS_VARIABLE]!), DEFAULTS_VARIABLE) : {}
  const base = { ...fromEnv, ...configured }
  return {
    ...base,
    ...own,
    divergence: { ...base.divergence, ...own.divergence },
    cassette: { ...base.cassette, ...own.cassette },
  }
}

function parseMatchOptions(value: unknown, where: string): MatchCassetteOptions {
  const parsed = OptionsSchema.safeParse(value)
  if (parsed.success) return parsed.data as MatchCassetteOptions
  const issue = parsed.error.issues[0]!
  const field = [where, ...issue.path.map(String)].join('.')
  throw new RetraceConfigError(
    field,
    issue.code === 'unrecognized_keys' ? `unknown option(s) ${issue.keys.join(', ')}` : issue.message,
    'Matcher options are: name, threshold, divergence, cassette.',
  )
}
