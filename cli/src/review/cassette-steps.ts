import type { Cassette, Interaction, Step, StoredStep } from '@retrace/cassettes'
import { extractStep } from '@retrace/core'
import { storedStepOf } from '@retrace/core/internal'

/** One LLM call of a cassette: where it is, what the model did, and what it was sent. */
export interface CassetteStep {
  /** 0-based index of the interaction in the cassette. */
  interaction: number
  /** What the model did: the stored step, or the one extracted from the bodies. */
  stored: StoredStep
  /** The full step read from the request and response bodies (input, tools, parameters), when the API is known. */
  extracted: Step | undefined
}

/** The cassette's interactions split into LLM steps and everything else, in cassette order. */
export interface CassetteParts {
  steps: CassetteStep[]
  /** Indexes of the interactions that are not LLM calls. */
  requests: number[]
}

/**
 * Splits a cassette into its LLM steps and its other HTTP requests. A step is an interaction
 * with a stored step, or one `extractStep` recognises, exactly as the matchers count steps
 * (`stepsOf`), so "step 2" here is "step 2" in a test failure.
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const health = { request: { method: 'GET', url: 'https://api.example.com/health', headers: {} }, response: { status: 200, headers: {}, body: { json: { ok: true } } } }
 * const { steps, requests } = cassetteParts({ version: 1, interactions: [health, chat('Weather in Paris?', 'Sunny.')] })
 * steps.map((step) => [step.interaction, step.stored.model]) // → [[1, 'gpt-4o-mini']]
 * requests // → [0]
 */
export function cassetteParts(cassette: Cassette): CassetteParts {
  const steps: CassetteStep[] = []
  const requests: number[] = []
  cassette.interactions.forEach((interaction: Interaction, index) => {
    const extracted = extractStep(interaction)
    const stored = interaction.step ?? (extracted ? storedStepOf(extracted) : undefined)
    if (stored) steps.push({ interaction: index, stored, extracted })
    else requests.push(index)
  })
  return { steps, requests }
}
