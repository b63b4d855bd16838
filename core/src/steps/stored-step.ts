import { StoredStepSchema, type Step, type StoredStep } from '@retrace/cassettes'

// The stored fields are whatever the cassette schema picks, so the two cannot drift apart.
const STORED_KEYS = Object.keys(StoredStepSchema.shape) as ReadonlyArray<keyof StoredStep & keyof Step>

/**
 * The part of a step stored with its interaction (what the model did, not what it was sent).
 *
 * @example
 * import { extractStep } from './extract-step.ts'
 * const step = extractStep({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } } },
 *   response: { status: 200, headers: {}, body: { json: { id: 'chatcmpl-1', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }], usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 } } } },
 * })!
 * const stored = storedStepOf(step)
 * Object.keys(stored) // → ['provider', 'api', 'operation', 'model', 'streamed', 'complete', 'output', 'finishReason', 'usage', 'costUsd', 'pricing']
 * 'input' in stored // → false
 */
export function storedStepOf(step: Step): StoredStep {
  const stored: Partial<Record<keyof StoredStep, unknown>> = {}
  for (const key of STORED_KEYS) {
    if (step[key] !== undefined) stored[key] = step[key]
  }
  return stored as StoredStep
}
