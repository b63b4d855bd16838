import { z } from 'zod'
import { RetraceConfigError, type RetraceError } from '@retrace/cassettes'
import type { ContentMask } from '../content/content-mask.ts'

/** The options of `configure()`. Every one can also come from the environment. */
export const RuntimeConfigSchema = z.strictObject({
  /** Sends traces when set (`RETRACE_API_KEY`). Without one, nothing is sent and nothing fails. */
  apiKey: z.string().min(1).optional(),
  /** The Retrace API server (`RETRACE_BASE_URL`). */
  baseUrl: z.url().optional(),
  /** `RETRACE_PROJECT_ID`. */
  projectId: z.string().min(1).optional(),
  /** `RETRACE_ENABLED=false` turns recording off without code changes. Default true. */
  enabled: z.boolean().optional(),
  /** Share of traces sent, 0–1 (`RETRACE_SAMPLE_RATE`). Default 1. */
  sampleRate: z.number().min(0).max(1).optional(),
  /** Seed of the per-trace sampling decision (`RETRACE_SAMPLE_SEED`). */
  sampleSeed: z.string().optional(),
  /** Ceilings per run, checked before every LLM call (`RETRACE_MAX_*_PER_RUN`). */
  maxStepsPerRun: z.number().int().positive().optional(),
  maxTokensPerRun: z.number().int().positive().optional(),
  maxUsdPerRun: z.number().positive().optional(),
  /** Block when the same tool is called with the same arguments this many times in a run. */
  loopLimit: z.number().int().min(2).optional(),
  /** Also ask the server for a policy verdict before every LLM call (`RETRACE_SERVER_ENFORCEMENT`). */
  serverEnforcement: z.boolean().optional(),
  /** `auto` (WebSocket, HTTP when it is down), `ws` or `http` (`RETRACE_TRANSPORT`). */
  transport: z.enum(['auto', 'ws', 'http']).optional(),
  /** Allow a plain-http `baseUrl` on a host that is not loopback (`RETRACE_ALLOW_INSECURE_HTTP`): the key then travels in clear. */
  allowInsecureHttp: z.boolean().optional(),
  /** Largest serialized input/output kept per span, in characters; beyond it the span is marked `truncated`. Default 1,000,000. */
  maxPayloadChars: z.number().int().positive().optional(),
  /**
   * Your function over every payload (inputs, outputs, error messages, metadata, LLM steps)
   * before Retrace's secret redaction runs and before anything is journaled or sent: for PII
   * and domain data. A mask that throws drops that event, marks the trace lossy and reports
   * the error to `onError`; the agent never sees it.
   */
  mask: z.custom<ContentMask>((value) => typeof value === 'function', { message: 'mask must be a function (value, context) => value' }).optional(),
  /**
   * `false` sends structure, timings, usage and cost only: no inputs, outputs, messages,
   * tool arguments or results, error messages (`RETRACE_CAPTURE_CONTENT`). Default true.
   */
  captureContent: z.boolean().optional(),
  /** Problems the agent must not see (a mask that threw, the server refusing the key, an outage). Default: one line on stderr, at most once a minute per kind. */
  onError: z.custom<(error: RetraceError) => void>((value) => typeof value === 'function', { message: 'onError must be a function (error) => void' }).optional(),
})

export type RuntimeConfigInput = z.input<typeof RuntimeConfigSchema>

/** The configuration in effect: every option resolved (explicit > environment > default). */
export interface RuntimeConfig {
  apiKey: string | undefined
  baseUrl: string
  projectId: string | undefined
  enabled: boolean
  sampleRate: number
  sampleSeed: string | undefined
  maxStepsPerRun: number | undefined
  maxTokensPerRun: number | undefined
  maxUsdPerRun: number | undefined
  loopLimit: number | undefined
  serverEnforcement: boolean
  transport: 'auto' | 'ws' | 'http'
  allowInsecureHttp: boolean
  maxPayloadChars: number
  mask: ContentMask | undefined
  captureContent: boolean
  onError: ((error: RetraceError) => void) | undefined
}

/** The Retrace server's default address (`retrace-server` listens there): not 4318, OpenTelemetry's OTLP port, which collectors hold. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787'

const ENV: Record<keyof RuntimeConfigInput, string | undefined> = {
  apiKey: 'RETRACE_API_KEY',
  baseUrl: 'RETRACE_BASE_URL',
  projectId: 'RETRACE_PROJECT_ID',
  enabled: 'RETRACE_ENABLED',
  sampleRate: 'RETRACE_SAMPLE_RATE',
  sampleSeed: 'RETRACE_SAMPLE_SEED',
  maxStepsPerRun: 'RETRACE_MAX_STEPS_PER_RUN',
  maxTokensPerRun: 'RETRACE_MAX_TOKENS_PER_RUN',
  maxUsdPerRun: 'RETRACE_MAX_USD_PER_RUN',
  loopLimit: 'RETRACE_LOOP_LIMIT',
  serverEnforcement: 'RETRACE_SERVER_ENFORCEMENT',
  transport: 'RETRACE_TRANSPORT',
  allowInsecureHttp: 'RETRACE_ALLOW_INSECURE_HTTP',
  maxPayloadChars: undefined,
  mask: undefined,
  captureContent: 'RETRACE_CAPTURE_CONTENT',
  onError: undefined,
}

/**
 * Resolves the configuration: each option from `explicit` if given, else from its
 * environment variable, else the default. A bad value — in code or in the environment — is
 * a `RetraceConfigError` naming the option or variable and what it accepts.
 *
 * @example
 * resolveRuntimeConfig({ maxUsdPerRun: 2 }, {}).maxUsdPerRun // → 2
 * resolveRuntimeConfig({}, { RETRACE_MAX_USD_PER_RUN: '0.5' }).maxUsdPerRun // → 0.5
 * resolveRuntimeConfig({ maxUsdPerRun: 2 }, { RETRACE_MAX_USD_PER_RUN: '0.5' }).maxUsdPerRun // → 2
 */
export function resolveRuntimeConfig(explicit: RuntimeConfigInput = {}, env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const given = parse(explicit, 'configure')
  const fromEnv: Record<string, unknown> = {}
  for (const [option, variable] of Object.entries(ENV)) {
    const raw = variable ? env[variable]?.trim() : undefined
    if (!raw || option in given) continue
    fromEnv[option] = fromEnvironment(option as keyof RuntimeConfigInput, raw, variable!)
  }
  const merged = { ...parse(fromEnv, 'environment'), ...given }
  return {
    apiKey: merged.apiKey,
    baseUrl: (merged.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    projectId: merged.projectId,
    enabled: merged.enabled ?? true,
    sampleRate: merged.sampleRate ?? 1,
    sampleSeed: merged.sampleSeed,
    maxStepsPerRun: merged.maxStepsPerRun,
    maxTokensPerRun: merged.maxTokensPerRun,
    maxUsdPerRun: merged.maxUsdPerRun,
    loopLimit: merged.loopLimit,
    serverEnforcement: merged.serverEnforcement ?? false,
    transport: merged.transport ?? 'auto',
    allowInsecureHttp: merged.allowInsecureHttp ?? false,
    maxPayloadChars: merged.maxPayloadChars ?? 1_000_000,
    mask: merged.mask,
    captureContent: merged.captureContent ?? true,
    onError: merged.onError,
  }
}

function fromEnvironment(option: keyof RuntimeConfigInput, raw: string, variable: string): unknown {
  const schema = RuntimeConfigSchema.shape[option]
  const inner = schema.unwrap()
  if (inner instanceof z.ZodBoolean) {
    const value = raw.toLowerCase()
    if (['true', '1', 'yes', 'on'].includes(value)) return true
    if (['false', '0', 'no', 'off'].includes(value)) return false
    throw new RetraceConfigError(variable, `"${raw}" is not a boolean.`, 'Use true or false.')
  }
  if (inner instanceof z.ZodNumber) {
    const value = Number(raw)
    if (!Number.isFinite(value)) throw new RetraceConfigError(variable, `"${raw}" is not a number.`)
    return value
  }
  return raw
}

function parse(input: unknown, where: 'configure' | 'environment'): RuntimeConfigInput {
  const result = RuntimeConfigSchema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const option = String(issue.path[0] ?? '')
  const field = where === 'environment' && option in ENV ? ENV[option as keyof RuntimeConfigInput]! : option || 'configure()'
  const known = Object.keys(RuntimeConfigSchema.shape).join(', ')
  throw new RetraceConfigError(field, issue.code === 'unrecognized_keys' ? `unknown option(s) ${issue.keys.join(', ')}` : issue.message, `configure() takes: ${known}.`)
}
