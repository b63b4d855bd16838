import { z } from 'zod'
import { MAST_MODES, MastModeSchema, type Flag, type MastMode } from '../flags/flag.ts'

/** One step of the trace as a judge sees it. */
export interface JudgeStep {
  /** 0-based; what `JudgeVerdict.add[].step` refers to. */
  index: number
  spanId: string
  agent: string
  /** The step's text, cut at 2,000 characters. */
  text: string
  /** The calls it made, as `name(args)`. */
  actions: string[]
}

/** What a judge is asked to review: the trace as steps, and the deterministic flags. */
export interface JudgeRequest {
  traceId: string
  task: string | undefined
  /** The answer the run ended with ('' when none). */
  answer: string
  steps: JudgeStep[]
  /** The detectors' flags, ranked; `JudgeVerdict.rescore[].flag` indexes this list. */
  flags: Flag[]
  /** The MAST modes a judge may report. */
  mastModes: readonly MastMode[]
}

/** A judge's answer: new confidences for flags it reviewed, and flags it adds. */
export const JudgeVerdictSchema = z.object({
  rescore: z.array(z.object({ flag: z.number().int().nonnegative(), confidence: z.number().min(0).max(1) })).default([]),
  add: z
    .array(
      z.object({
        mastMode: MastModeSchema,
        /** The index of the decisive step in `JudgeRequest.steps`. */
        step: z.number().int().nonnegative(),
        /** Defaults to the agent of that step. */
        agent: z.string().optional(),
        message: z.string(),
        evidence: z.array(z.string()).default([]),
        confidence: z.number().min(0).max(1),
      }),
    )
    .default([]),
})
export type JudgeVerdict = z.input<typeof JudgeVerdictSchema>

/**
 * A judge plug-in: your embedding model or LLM reviewing the deterministic flags. Route its
 * model calls through a cassette (`withCassette` from @retrace/core) so an evaluation that
 * used it replays offline, with the same verdicts.
 */
export interface DetectorJudge {
  /** Names the judge (model and prompt version): recorded as `judge` and as the `source` of the flags it adds. */
  id: string
  review(request: JudgeRequest): Promise<JudgeVerdict>
}

/** The MAST definitions an LLM judge is given as its rubric (Cemri et al., 2025). */
export const MAST_DEFINITIONS: Readonly<Record<MastMode, string>> = {
  '1.1 disobey task specification': 'fails to follow the task’s stated constraints or requirements',
  '1.2 disobey role specification': 'acts outside the responsibilities of its role',
  '1.3 step repetition': 'needlessly repeats a step already done',
  '1.4 loss of conversation history': 'loses context and reverts to an earlier state of the conversation',
  '1.5 unaware of termination conditions': 'does not see that the interaction should stop, and goes on',
  '2.1 conversation reset': 'restarts the dialogue unexpectedly, losing progress',
  '2.2 fail to ask for clarification': 'proceeds on unclear information instead of asking',
  '2.3 task derailment': 'drifts from the task’s objective',
  '2.4 information withholding': 'does not share information another agent needed',
  '2.5 ignored other agent’s input': 'disregards another agent’s input or recommendation',
  '2.6 reasoning–action mismatch': 'its action contradicts its own stated reasoning',
  '3.1 premature termination': 'ends before the task is done or the answer is reached',
  '3.2 no or incomplete verification': 'does not check (or only partly checks) the result',
  '3.3 incorrect verification': 'checks the result wrongly and accepts an error',
}

/** Options of `createLlmJudge`. */
export interface LlmJudgeOptions {
  /** Names the model and prompt, e.g. `gpt-4o-mini/mast-v1`. */
  id: string
  /** Sends the prompt to your model and returns its text answer. */
  complete: (prompt: string) => Promise<string>
}

/**
 * An LLM judge from a plain completion function: it is given the MAST definitions, the task,
 * the steps and the deterministic flags, and answers with a JSON verdict (flags to rescore,
 * flags to add). The answer's first JSON object is read and validated.
 *
 * @example
 * // With a model: complete: async (prompt) => (await openai.chat.completions.create({ model: 'gpt-4o-mini',
 * //   messages: [{ role: 'user', content: prompt }] })).choices[0]!.message.content ?? ''
 * // Here a stand-in answers as a model would: prose around the JSON.
 * const judge = createLlmJudge({ id: 'gpt-4o-mini/mast-v1', complete: async () => 'Verdict: {"rescore": [{ "flag": 0, "confidence": 0.9 }]} Done.' })
 * judge.id // → 'gpt-4o-mini/mast-v1'
 * await judge.review({ traceId: 't1', task: 'Find a flight.', answer: '€89', steps: [], flags: [], mastModes: [] })
 * // → { rescore: [{ flag: 0, confidence: 0.9 }] }
 */
export function createLlmJudge(options: LlmJudgeOptions): DetectorJudge {
  return {
    id: options.id,
    async review(request) {
      const answer = await options.complete(judgePrompt(request))
      const json = firstJsonObject(answer)
      if (json === undefined) throw new Error(`the model's answer holds no JSON object: ${answer.slice(0, 120)}`)
      return JSON.parse(json) as JudgeVerdict
    },
  }
}

/**
 * The prompt `createLlmJudge` sends: rubric, task, steps and flags, and the JSON shape to answer in.
 *
 * @example
 * const request = { traceId: 't1', task: 'Find the cheapest flight to Rome.', answer: '€89', steps: [], flags: [], mastModes: ['1.3 step repetition' as const] }
 * judgePrompt(request).startsWith('You review a multi-agent run') // → true
 * judgePrompt(request).includes('Find the cheapest flight to Rome.') // → true
 */
export function judgePrompt(request: JudgeRequest): string {
  const rubric = MAST_MODES.map((mode) => `- ${mode}: ${MAST_DEFINITIONS[mode]}`).join('\n')
  const steps = request.steps.map((step) => `[${step.index}] ${step.agent}: ${step.text}${step.actions.length ? `\n    calls: ${step.actions.join('; ')}` : ''}`).join('\n')
  const flags = request.flags.length ? request.flags.map((flag, index) => `(${index}) ${flag.mastMode} · ${flag.agent} · ${flag.message} · confidence ${flag.confidence}`).join('\n') : '(none)'
  return [
    'You review a multi-agent run for failures, using the MAST taxonomy:',
    rubric,
    '',
    `Task: ${request.task ?? '(not given)'}`,
    `Final answer: ${request.answer || '(none)'}`,
    '',
    'Steps:',
    steps,
    '',
    'Flags from deterministic detectors:',
    flags,
    '',
    'Answer with one JSON object and nothing else:',
    '{"rescore":[{"flag":<flag number>,"confidence":<0..1>}],"add":[{"mastMode":"<one of the modes above, verbatim>","step":<step number>,"agent":"<agent>","message":"<one line>","evidence":["<quote>"],"confidence":<0..1>}]}',
    'Rescore a flag to 0 when it is wrong. Add the decisive mistake if no flag names it.',
  ].join('\n')
}

function firstJsonObject(text: string): string | undefined {
  const start = text.indexOf('{')
  if (start < 0) return undefined
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const char = text[i]
    if (inString) {
      if (char === '\\') i++
      else if (char === '"') inString = false
    } else if (char === '"') inString = true
    else if (char === '{') depth++
    else if (char === '}' && --depth === 0) return text.slice(start, i + 1)
  }
  return undefined
}
