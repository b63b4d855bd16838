import { z } from 'zod'
import { JsonValueSchema, StepSchema, StoredStepSchema } from '@retrace/cassettes'

/**
 * One agent run as the divergence engine sees it: its LLM steps in order and, when
 * recorded, the agent's final return value.
 */
export const RunRecordSchema = z.object({
  steps: z.array(z.union([StepSchema, StoredStepSchema])),
  /** The agent's final return value. A string is compared as free text, anything else as JSON. */
  result: JsonValueSchema.optional(),
})
export type RunRecord = z.infer<typeof RunRecordSchema>
