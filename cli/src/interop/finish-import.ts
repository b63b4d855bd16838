import { CassetteSchema, type Cassette, type Interaction } from '@retrace/cassettes'
import { extractStep } from '@retrace/core'
import { createRedactor, storedStepOf, VERSION, type Redaction } from '@retrace/core/internal'
import type { InteropFormat } from './interop-input-error.ts'

/**
 * Makes a converted cassette ready to write, as if Retrace had recorded it: every interaction
 * goes through Retrace's default redaction (auth headers, key-like query parameters,
 * secret-shaped strings), each LLM call gets its stored step, keys are put in schema order,
 * and `meta.recorder` says where the cassette came from. The result still has to pass the
 * secret scan when written (`writeCassetteFile`).
 *
 * @example
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const imported = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny.')] }
 * imported.interactions[0]!.request.headers['authorization'] = 'Bearer sk-proj-' + 'abcdefghijklmnopqrstuvwxyz0123456789' // a fake key, split so scanners of this file see none
 * const cassette = finishImport(imported, 'har')
 * cassette.interactions[0]!.request.headers['authorization'] // → '[REDACTED]'
 */
export function finishImport(cassette: Cassette, format: InteropFormat, redaction: Redaction = createRedactor()): Cassette {
  const interactions = cassette.interactions.map((interaction) => withStep(redaction.interaction(interaction)))
  const meta = { recorder: `@retrace/cli ${VERSION} (retrace import ${format})`, ...cassette.meta }
  // Parsing orders keys as the schema does, so imported files look like recorded ones.
  return CassetteSchema.parse({ ...cassette, meta, interactions })
}

function withStep(interaction: Interaction): Interaction {
  if (interaction.step) return interaction
  const step = extractStep(interaction)
  return step ? { ...interaction, step: storedStepOf(step) } : interaction
}
