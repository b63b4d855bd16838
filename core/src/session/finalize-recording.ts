import {
  CASSETTE_VERSION,
  stabilizeRecording,
  type Cassette,
  type CompiledMatchOptions,
  type Interaction,
  type JsonValue,
  type RecordedRun,
} from '@retrace/cassettes'
import type { Redaction } from '../redaction/redactor.ts'
import { extractStep, storedStepOf } from '../steps/index.ts'
import { RECORDER_NAME } from '../version.ts'

/**
 * Turns raw recorded interactions into the cassette to write: each redacted, with its
 * provider-neutral step, the run's outcome (redacted too), and — against the previous file —
 * unchanged interactions kept byte for byte.
 *
 * @example
 * import { compileMatchOptions } from '@retrace/cassettes'
 * import { createRedactor } from '../redaction/redactor.ts'
 * const interactions = [{
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { authorization: 'Bearer sk-test' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }], usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 } } } },
 * }]
 * const cassette = finalizeRecording({ interactions, previous: undefined, redaction: createRedactor(), match: compileMatchOptions(), run: { result: 'Hello!' } })
 * cassette.interactions[0]?.request.headers.authorization // → '[REDACTED]'
 * cassette.interactions[0]?.step?.output // → [{ type: 'text', content: 'Hello!' }]
 * cassette.run // → { result: 'Hello!' }
 */
export function finalizeRecording(input: {
  interactions: readonly Interaction[]
  previous: Cassette | undefined
  redaction: Redaction
  match: CompiledMatchOptions
  run?: RecordedRun
}): Cassette {
  const fresh: Cassette = {
    version: CASSETTE_VERSION,
    meta: { recorder: RECORDER_NAME },
    // The agent's own output can quote a secret too: it is redacted like everything else.
    ...(input.run ? { run: input.redaction.json(input.run as JsonValue) as RecordedRun } : {}),
    interactions: input.interactions.map((interaction) => finalizeInteraction(interaction, input.redaction)),
  }
  return stabilizeRecording(input.previous, fresh, input.match)
}

function finalizeInteraction(interaction: Interaction, redaction: Redaction): Interaction {
  const redacted = redaction.interaction(interaction)
  const step = extractStep(redacted)
  // Key order here is the order in the file: request, response, error, step, timing.
  return {
    request: redacted.request,
    ...(redacted.response ? { response: redacted.response } : {}),
    ...(redacted.error ? { error: redacted.error } : {}),
    ...(step ? { step: storedStepOf(step) } : {}),
    ...(redacted.timing ? { timing: redacted.timing } : {}),
  }
}
