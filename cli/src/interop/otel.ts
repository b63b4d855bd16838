import { createHash } from 'node:crypto'
import { serializeCassette, type Cassette, type Interaction, type Step } from '@retrace/cassettes'
import { extractStep, toGenAIAttributes } from '@retrace/core'
import { VERSION } from '@retrace/core/internal'

// OTLP/JSON (the protobuf JSON mapping used by OTLP/HTTP): ids in lower-case hex, enums as
// numbers, 64-bit integers (times, intValue) as decimal strings.

/** An OTLP attribute value. */
export type OtlpAnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: OtlpAnyValue[] } }

/** An OTLP attribute. */
export interface OtlpKeyValue {
  key: string
  value: OtlpAnyValue
}

/** An OTLP span. */
export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: OtlpKeyValue[]
  status: { code: number; message?: string }
}

/** An OTLP trace export request (`ExportTraceServiceRequest`) in JSON. */
export interface OtlpTraces {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] }
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>
  }>
}

/** `Span.SpanKind` values. */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const
/** `Status.StatusCode` values. */
export const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const

/** Options for {@link toOtel}. */
export interface ToOtelOptions {
  /**
   * The time the run started. Cassettes keep durations, not wall-clock times: spans are laid
   * end to end in cassette order from here. Default: the Unix epoch, so the output is
   * reproducible (and obviously relative).
   */
  readonly startTime?: Date
  /** `service.name` of the resource. Default `retrace`. */
  readonly serviceName?: string
  /** The cassette's file name, kept as the resource attribute `retrace.cassette`. */
  readonly source?: string
}

type AttributeValue = string | number | boolean | string[]

/** What the run span adds up from its steps. */
interface StepSummary {
  provider: string
  genAI: Readonly<Record<string, AttributeValue>>
  costUsd: number | undefined
}

// Attributes the GenAI conventions type as double even when the value happens to be whole.
const DOUBLE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'gen_ai.request.temperature',
  'gen_ai.request.top_p',
  'gen_ai.request.frequency_penalty',
  'gen_ai.request.presence_penalty',
  'retrace.cost_usd',
])

/**
 * A cassette as OpenTelemetry GenAI spans in OTLP/JSON: one CLIENT span per LLM step, named
 * `{gen_ai.operation.name} {gen_ai.request.model}` and carrying the step's `gen_ai.*`
 * attributes (`toGenAIAttributes`), `server.address` / `server.port`, and `error.type` when the
 * call failed. When the cassette records its run (`run`), an INTERNAL `invoke_agent` span is
 * the parent of every step. Ids are derived from the cassette's content, so exporting the
 * same cassette twice gives the same trace.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const traces = toOtel(cassette, { startTime: new Date('2025-01-31T09:00:00Z') })
 * // Then POST JSON.stringify(traces) to a collector's /v1/traces.
 * const spans = traces.resourceSpans[0]!.scopeSpans[0]!.spans
 * spans.map((span) => span.name) // → ['chat gpt-4o-mini']
 */
export function toOtel(cassette: Cassette, options: ToOtelOptions = {}): OtlpTraces {
  const traceId = sha256(serializeCassette(cassette)).slice(0, 32)
  const base = BigInt((options.startTime ?? new Date(0)).getTime()) * 1_000_000n
  const at = (ms: number): string => (base + BigInt(Math.round(ms * 1_000_000))).toString()
  const runSpanId = cassette.run ? spanIdOf(traceId, 'run') : undefined
  const spans: OtlpSpan[] = []
  const steps: StepSummary[] = []
  let clock = 0
  cassette.interactions.forEach((interaction, index) => {
    const start = clock
    clock += interaction.timing?.durationMs ?? interaction.timing?.latencyMs ?? 0
    const step = stepOf(interaction)
    if (!step) return
    const costUsd = interaction.step?.costUsd ?? step.costUsd
    const genAI = toGenAIAttributes(step)
    steps.push({ provider: step.provider, genAI, costUsd })
    const failure = failureOf(interaction)
    const attributes: Record<string, AttributeValue> = { ...genAI, ...serverOf(interaction.request.url) }
    if (failure) attributes['error.type'] = failure.type
    if (costUsd !== undefined) attributes['retrace.cost_usd'] = costUsd
    attributes['retrace.interaction'] = index
    spans.push({
      traceId,
      spanId: spanIdOf(traceId, String(index)),
      ...(runSpanId ? { parentSpanId: runSpanId } : {}),
      name: step.model ? `${step.operation} ${step.model}` : step.operation,
      kind: SPAN_KIND.CLIENT,
      startTimeUnixNano: at(start),
      endTimeUnixNano: at(clock),
      attributes: otlpAttributes(attributes),
      status: failure ? { code: STATUS_CODE.ERROR, message: failure.message } : { code: STATUS_CODE.UNSET },
    })
  })
  if (cassette.run && runSpanId) spans.unshift(runSpan(cassette.run, steps, { traceId, spanId: runSpanId, start: at(0), end: at(clock) }))
  return {
    resourceSpans: [
      {
        resource: {
          attributes: otlpAttributes({ 'service.name': options.serviceName ?? 'retrace', ...(options.source ? { 'retrace.cassette': options.source } : {}) }),
        },
        scopeSpans: [{ scope: { name: '@retrace/cli', version: VERSION }, spans }],
      },
    ],
  }
}

/**
 * An attribute map in OTLP's typed form: whole numbers as `intValue` (a decimal string),
 * others as `doubleValue`, string arrays as `arrayValue`.
 *
 * @example
 * otlpAttributes({ 'gen_ai.usage.input_tokens': 12 }) // → [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } }]
 */
export function otlpAttributes(attributes: Readonly<Record<string, AttributeValue>>): OtlpKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: otlpValue(key, value) }))
}

function otlpValue(key: string, value: AttributeValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (Array.isArray(value)) return { arrayValue: { values: value.map((item) => ({ stringValue: item })) } }
  return Number.isInteger(value) && !DOUBLE_ATTRIBUTES.has(key) ? { intValue: String(value) } : { doubleValue: value }
}

function runSpan(run: NonNullable<Cassette['run']>, steps: readonly StepSummary[], span: { traceId: string; spanId: string; start: string; end: string }): OtlpSpan {
  const agent = run.entry?.export
  const attributes: Record<string, AttributeValue> = { 'gen_ai.operation.name': 'invoke_agent' }
  if (agent) attributes['gen_ai.agent.name'] = agent
  const providers = new Set(steps.map((step) => step.provider))
  if (providers.size === 1) attributes['gen_ai.provider.name'] = [...providers][0]!
  for (const key of ['gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens']) {
    const counts = steps.map((step) => step.genAI[key]).filter((count): count is number => typeof count === 'number')
    if (counts.length > 0) attributes[key] = counts.reduce((sum, count) => sum + count, 0)
  }
  const costs = steps.map(({ costUsd }) => costUsd).filter((cost): cost is number => cost !== undefined)
  if (costs.length > 0) attributes['retrace.cost_usd'] = costs.reduce((sum, cost) => sum + cost, 0)
  if (run.test) {
    attributes['retrace.test.file'] = run.test.file
    attributes['retrace.test.name'] = run.test.name
  }
  if (run.entry) attributes['retrace.entry.module'] = run.entry.module
  if (run.error) attributes['error.type'] = run.error.name
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    name: agent ? `invoke_agent ${agent}` : 'invoke_agent',
    kind: SPAN_KIND.INTERNAL,
    startTimeUnixNano: span.start,
    endTimeUnixNano: span.end,
    attributes: otlpAttributes(attributes),
    status: run.error ? { code: STATUS_CODE.ERROR, message: `${run.error.name}: ${run.error.message}` } : { code: STATUS_CODE.UNSET },
  }
}

/** The full step (with its input, read back from the request body), or the stored one. */
function stepOf(interaction: Interaction): Step | undefined {
  const step = extractStep(interaction)
  if (step) return step
  return interaction.step ? { ...interaction.step, input: [], tools: [] } : undefined
}

function failureOf(interaction: Interaction): { type: string; message: string } | undefined {
  const { response, error } = interaction
  if (!response) return { type: error?.name ?? error?.code ?? '_OTHER', message: error?.message ?? 'The request got no response.' }
  if (response.status >= 400) return { type: String(response.status), message: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}` }
  if (response.end?.outcome === 'error') return { type: '_OTHER', message: response.end.message ?? 'The response stream failed.' }
  return undefined
}

function serverOf(url: string): Record<string, AttributeValue> {
  const parsed = URL.parse(url)
  if (!parsed) return {}
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80
  return { 'server.address': parsed.hostname, 'server.port': port }
}

function spanIdOf(traceId: string, name: string): string {
  return sha256(`${traceId}:${name}`).slice(0, 16)
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
