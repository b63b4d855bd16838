import { createHash } from 'node:crypto'
import { canonicalJson, type Cassette, type Interaction, type JsonValue, type Step } from '@retrace/cassettes'
import type { WireSpan } from '@retrace/protocol'
import type { CassetteTraceInput, GitMetadata } from '../store/store.ts'

/**
 * The content hash that makes a push idempotent: SHA-256 of the cassette's canonical JSON
 * (key order and whitespace do not matter).
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const hash = cassetteHash(cassette)
 * hash === cassetteHash(structuredClone(cassette)) // → true
 * hash === cassetteHash({ ...cassette, interactions: [] }) // → false
 */
export function cassetteHash(cassette: Cassette): string {
  return createHash('sha256').update(canonicalJson(cassette as unknown as JsonValue)).digest('hex')
}

/**
 * The trace id of a pushed cassette: the same content gives the same trace.
 *
 * @example
 * cassetteTraceId('3f1c'.repeat(16)) // → `cs_${'3f1c'.repeat(8)}`
 */
export function cassetteTraceId(hash: string): string {
  return `cs_${hash.slice(0, 32)}`
}

/**
 * A pushed cassette as a trace: one span per interaction in recorded order — an `llm` span
 * carrying the provider-neutral step for each LLM call (the full step when the uploader sent
 * it, else the step stored in the cassette, without messages), a `span` for other requests,
 * an `error` span for failed calls — with totals summed from the steps and the run's outcome
 * from `cassette.run`. Times are laid out from `receivedAt` using the recorded durations.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const trace = cassetteToTrace(cassette, { name: 'weather › Paris', receivedAt: new Date('2026-03-01T10:00:00Z'), hash: cassetteHash(cassette) })
 * // No step stored in the cassette and none sent: a plain request span.
 * trace.spans.map((span) => [span.kind, span.name]) // → [['span', 'POST api.openai.com/v1/chat/completions']]
 */
export function cassetteToTrace(
  cassette: Cassette,
  options: { name?: string | undefined; git?: GitMetadata | undefined; steps?: ReadonlyArray<Step | null> | undefined; receivedAt: Date; hash: string },
): Omit<CassetteTraceInput, 'projectId' | 'body'> {
  const traceId = cassetteTraceId(options.hash)
  const base = options.receivedAt.getTime()
  let offset = 0
  const totals = { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 0 }
  const spans = cassette.interactions.map((interaction, index): WireSpan => {
    const durationMs = interaction.timing?.durationMs ?? interaction.timing?.latencyMs ?? 0
    const startedAt = new Date(base + offset).toISOString()
    offset += durationMs
    const step = options.steps?.[index] ?? storedStep(interaction)
    const failed = interaction.error !== undefined || (interaction.response?.status ?? 200) >= 400
    if (step) {
      totals.inputTokens += step.usage?.inputTokens ?? 0
      totals.outputTokens += step.usage?.outputTokens ?? 0
      totals.usd += step.costUsd ?? 0
    }
    totals.durationMs += durationMs
    return {
      id: `${traceId}.${index + 1}`,
      traceId,
      kind: failed ? 'error' : step ? 'llm' : 'span',
      name: step?.api ?? `${interaction.request.method} ${urlPath(interaction.request.url)}`,
      startedAt,
      endedAt: new Date(base + offset).toISOString(),
      durationMs,
      status: failed ? 'error' : 'ok',
      ...(step ? { step } : { input: bodyJson(interaction.request.body), output: bodyJson(interaction.response?.body) }),
      ...(failed ? { error: { type: interaction.error?.name ?? `HTTP ${interaction.response?.status}`, message: interaction.error?.message ?? `The server answered ${interaction.response?.status}.` } } : {}),
      metadata: { interaction: index },
    }
  })
  const run = cassette.run
  const test = run?.test
  // A name is text in the store, which cannot hold NUL (PostgreSQL).
  const name = (options.name ?? (test ? `${test.file} › ${test.name}` : 'cassette')).replaceAll('\u0000', '\ufffd')
  const git: GitMetadata | null = options.git || test ? { ...(test ? { testFile: test.file, testName: test.name } : {}), ...options.git } : null
  return {
    contentHash: options.hash,
    start: { id: traceId, name, startedAt: options.receivedAt.toISOString(), ...(cassette.meta?.recorder ? { metadata: { recorder: cassette.meta.recorder } } : {}) },
    end: {
      endedAt: new Date(base + offset).toISOString(),
      status: run?.error ? 'failed' : 'completed',
      ...(run?.result !== undefined ? { output: run.result } : {}),
      ...(run?.error ? { error: { type: run.error.name, message: run.error.message } } : {}),
      totals,
    },
    spans,
    git,
  }
}

/** The step a cassette stores with an interaction, completed to the full step shape (no messages: the request body holds them). */
function storedStep(interaction: Interaction): Step | undefined {
  if (!interaction.step) return undefined
  return { ...interaction.step, input: [], tools: [] } as Step
}

function urlPath(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.host}${parsed.pathname}`
  } catch {
    return url.slice(0, 200)
  }
}

function bodyJson(body: Interaction['request']['body']): JsonValue | undefined {
  if (!body) return undefined
  if ('json' in body) return body.json
  if ('text' in body) return body.text.slice(0, 100_000)
  return undefined
}
