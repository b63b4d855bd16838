import { StoredStepSchema, type Step, type StoredStep } from '@retrace/cassettes'

// The stored fields are whatever the cassette schema picks, so the two cannot drift apart.
const STORED_KEYS = Object.keys(StoredStepSchema.shape) as ReadonlyArray<keyof StoredStep & keyof Step>

/**
 * The part of a step stored with its interaction (what the model did, not what it was sent).
 *
 * @example
 * storedStepOf(step) // → { provider, api, operation, model, streamed, complete, output, finishReason, usage, costUsd, pricing }
 */
export function storedStepOf(step: Step): StoredStep {
  const stored: Partial<Record<keyof StoredStep, unknown>> = {}
  for (const key of STORED_KEYS) {
    if (step[key] !== undefined) stored[key] = step[key]
  }
  return stored as StoredStep
}
