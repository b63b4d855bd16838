import { z } from 'zod'
import { RetraceConfigError } from '@retrace/cassettes'

const RedactorSchema = z.union([
  z.strictObject({ header: z.string().min(1), replacement: z.string().optional() }),
  z.strictObject({ queryParam: z.string().min(1), replacement: z.string().optional() }),
  z.strictObject({ path: z.string().min(1), replacement: z.string().optional() }),
  z.strictObject({ pattern: z.instanceof(RegExp), replacement: z.string().optional() }),
])

const HostPatternSchema = z.union([z.string().min(1), z.instanceof(RegExp)])

/** The four modes; `auto` resolves to `replay` when the cassette exists, else `record` (never under CI). */
export const CassetteModeSchema = z.enum(['record', 'replay', 'auto', 'passthrough'])

/**
 * Options of `startCassette` / `withCassette`. Validated when the cassette starts, so a typo
 * fails there with the field's name instead of misbehaving mid-run.
 */
export const CassetteOptionsSchema = z.strictObject({
  /** `auto` (default): replay if the file exists, else record (under CI: error). `RETRACE_MODE` overrides. */
  mode: CassetteModeSchema.optional(),
  /** Extra redaction rules on top of the defaults, or `false` to turn the defaults off. */
  redact: z.union([z.array(RedactorSchema), z.literal(false)]).optional(),
  /** Hosts that may be reached live in replay when the cassette has no answer (exact host, `*.suffix`, or RegExp). */
  allowHosts: z.array(HostPatternSchema).optional(),
  /** Hosts never recorded: their requests pass through live in every mode. */
  ignoreHosts: z.array(HostPatternSchema).optional(),
  /** JSON paths in request bodies left out of matching. */
  ignorePaths: z.array(z.string()).optional(),
  /** Query parameters left out of matching. */
  ignoreQueryParams: z.array(z.string()).optional(),
  /** Request headers that must match too (none by default). */
  matchHeaders: z.array(z.string()).optional(),
  /** `instant` (default) or `recorded`: wait the recorded latency and gaps between events. */
  timing: z.enum(['instant', 'recorded']).optional(),
  /** With `timing: 'recorded'`, how much faster than recorded (2 = twice as fast). Default 1. */
  speed: z.number().positive().optional(),
  /** Serve the last recorded response again when a request is repeated more often than recorded. Default false. */
  allowPlaybackRepeats: z.boolean().optional(),
  /**
   * Ask OpenAI for usage on streamed chat completions while recording (the API sends none
   * unless asked), and hide that extra chunk from the caller. Default true.
   */
  injectStreamUsage: z.boolean().optional(),
  /** How long `stop()` waits for response bodies still streaming before recording them as cut short. Default 30000. */
  stopTimeoutMs: z.number().int().nonnegative().optional(),
  /**
   * Write each refusal (an unmatched request, a blocked host or connection) to the run ledger
   * when one is open (default true), so `retrace ci replay` counts it even if the agent caught
   * it. Tools that report the cassette's outcome themselves (the test matchers) pass false.
   */
  ledger: z.boolean().optional(),
  /**
   * Let `RETRACE_MODE` override `mode` (default true). Tools that already resolved the mode
   * from the environment themselves (the test matchers) pass false.
   */
  modeFromEnvironment: z.boolean().optional(),
})

export type CassetteMode = z.infer<typeof CassetteModeSchema>
export type CassetteOptions = z.input<typeof CassetteOptionsSchema>

/**
 * Validates options, naming the first bad field and how to fix it.
 *
 * @example
 * parseCassetteOptions({ mode: 'replay' })
 */
export function parseCassetteOptions(options: unknown): CassetteOptions {
  const result = CassetteOptionsSchema.safeParse(options ?? {})
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = issue.path.length ? issue.path.map(String).join('.') : 'options'
  const known = Object.keys(CassetteOptionsSchema.shape).join(', ')
  throw new RetraceConfigError(
    field,
    issue.code === 'unrecognized_keys' ? `unknown option(s) ${issue.keys.join(', ')}` : issue.message,
    `Cassette options are: ${known}. See @retrace/core's README.`,
  )
}

/**
 * The mode to run in: `RETRACE_MODE` if set (it overrides code, so CI and developers can
 * switch without edits), else the option, else `auto`.
 *
 * @example
 * requestedMode({ mode: 'replay' }, process.env) // 'replay' unless RETRACE_MODE says otherwise
 */
export function requestedMode(options: CassetteOptions, env: NodeJS.ProcessEnv = process.env): CassetteMode {
  const fromEnv = options.modeFromEnvironment === false ? undefined : env.RETRACE_MODE?.trim()
  if (fromEnv) {
    const parsed = CassetteModeSchema.safeParse(fromEnv.toLowerCase())
    if (!parsed.success) {
      throw new RetraceConfigError('RETRACE_MODE', `"${fromEnv}" is not a mode.`, 'Use one of record, replay, auto, passthrough, or unset it.')
    }
    return parsed.data
  }
  return options.mode ?? 'auto'
}

/**
 * True when running under CI (the `CI` variable is set and not `false`/`0`).
 *
 * @example
 * if (isCI()) console.log('never recording here')
 */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase()
  return value !== undefined && value !== '' && value !== 'false' && value !== '0'
}
