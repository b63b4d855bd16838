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
 * const cassette = finalizeRecording({ interactions, previous: readCassetteFile(file), redaction, match })
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
