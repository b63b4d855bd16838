import { z } from 'zod'

/** One message of a Who&When run's history. */
export const WhoAndWhenMessageSchema = z.looseObject({
  /** The speaker: a Magentic-One label (`WebSurfer`, `Orchestrator (-> WebSurfer)`, `human`) or an AG2 chat role. */
  role: z.string(),
  content: z.string(),
  /** The speaking agent in AG2 histories (`role` is then `assistant` / `user`). */
  name: z.string().optional(),
})

/**
 * A run in the Who&When format (ag2ai/Agents_Failure_Attribution, ICML 2025): the task, the
 * message history of a multi-agent system (AG2 or Magentic-One) and, for labelled runs, the
 * agent and step of the decisive mistake. Unknown fields are kept.
 */
export const WhoAndWhenRunSchema = z.looseObject({
  question: z.string(),
  history: z.array(WhoAndWhenMessageSchema).min(1),
  ground_truth: z.union([z.string(), z.number()]).optional(),
  question_ID: z.string().optional(),
  mistake_agent: z.string().optional(),
  /** The index in `history` of the decisive mistake (a string in the published files). */
  mistake_step: z.union([z.string(), z.number()]).optional(),
  mistake_reason: z.string().optional(),
})

export type WhoAndWhenMessage = z.infer<typeof WhoAndWhenMessageSchema>
export type WhoAndWhenRun = z.infer<typeof WhoAndWhenRunSchema>
