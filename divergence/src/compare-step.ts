import type { Step, StoredStep } from '@retrace/cassettes'
import { scoreJson } from './compare-json.ts'
import { scoreTexts, type TextScoring } from './compare-text.ts'
import { resolveDivergenceOptions, type DivergenceOptions } from './divergence-options.ts'
import { LAYER_RANK, type DivergenceLayer, type DivergenceReason } from './divergence-result.ts'
import { jsonEqual } from './json-equal.ts'
import { makeReason, type ReasonContext } from './reason-context.ts'
import { signaturesIdentical, stepSignature, type StepSignature, type ToolCallSignature } from './step-signature.ts'
import { createTextAnalyzer } from './text-analysis.ts'

/** How one golden step compared with the candidate step paired with it. */
export interface StepOutcome {
  status: 'identical' | 'equivalent' | 'diverged'
  /** 1 = identical; 0 for a structural divergence (a hard one). */
  similarity: number
  /** The first layer that explains the divergence. */
  layer: DivergenceLayer | undefined
  reasons: DivergenceReason[]
  textSimilarity: number | undefined
  argumentSimilarity: number | undefined
}

/**
 * Compares two steps layer by layer: structure (tool names, finish reason, refusal) is a
 * hard divergence and stops there; then each tool call's arguments; then the text.
 * Steps are numbered from 1 in messages (`numbers` says which step this is).
 *
 * Parallel tool calls: with `toolCallOrder: 'ignore'` (default) the calls of a step are
 * matched as a set (by name, then arguments), so the same calls in another order are
 * equivalent; `'strict'` makes the order a structural divergence.
 *
 * Text beside tool calls ("Let me check that.") is commentary: when both steps call
 * tools and only one of them says something, that is not a divergence.
 *
 * @example
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * const weather = (city: string) => step([{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city } }], 'tool_calls')
 * compareSteps(weather('Paris'), weather('London')).reasons[0]?.message
 * // → 'Step 1, tool call get_weather: $.arguments.city changed from "Paris" to "London".'
 */
export function compareSteps(
  golden: Step | StoredStep,
  candidate: Step | StoredStep,
  options: DivergenceOptions = {},
  numbers: { step: number; candidateStep: number } = { step: 1, candidateStep: 1 },
): StepOutcome {
  const scoring: TextScoring = { options: resolveDivergenceOptions(options), analyzer: createTextAnalyzer() }
  return scoreStepPair(stepSignature(golden), stepSignature(candidate), scoring, numbers)
}

/**
 * `compareSteps` over signatures, with the context shared across one run comparison.
 *
 * @example
 * import { stepSignature } from '@retrace/divergence'
 * import { resolveDivergenceOptions } from './divergence-options.ts'
 * import { createTextAnalyzer } from './text-analysis.ts'
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * const scoring = { options: resolveDivergenceOptions(), analyzer: createTextAnalyzer() }
 * const golden = stepSignature(step([{ type: 'text', content: 'Your order shipped on Monday.' }]))
 * const candidate = stepSignature(step([{ type: 'text', content: 'Your order shipped on Friday.' }]))
 * scoreStepPair(golden, candidate, scoring, { step: 3, candidateStep: 4 }).reasons[0]?.layer // → 'text'
 */
export function scoreStepPair(
  golden: StepSignature,
  candidate: StepSignature,
  scoring: TextScoring,
  numbers: { step: number; candidateStep: number },
): StepOutcome {
  if (signaturesIdentical(golden, candidate)) {
    return { status: 'identical', similarity: 1, layer: undefined, reasons: [], textSimilarity: undefined, argumentSimilarity: undefined }
  }
  const { step, candidateStep } = numbers
  const where = step === candidateStep ? `Step ${step}` : `Step ${step} (step ${candidateStep} in this run)`
  const base: ReasonContext = { layer: 'structure', where, step, candidateStep }

  // Layer 2, structure: any difference here is a hard divergence.
  const reasons: DivergenceReason[] = []
  if (golden.finishReason !== undefined && candidate.finishReason !== undefined && golden.finishReason !== candidate.finishReason) {
    reasons.push(
      makeReason(base, 'finish-reason-changed', `the finish reason changed from "${golden.finishReason}" to "${candidate.finishReason}"`, {
        expected: golden.finishReason,
        received: candidate.finishReason,
      }),
    )
  }
  if ((golden.refusal === undefined) !== (candidate.refusal === undefined)) {
    reasons.push(
      makeReason(base, 'refusal-changed', candidate.refusal === undefined ? 'the model no longer refuses' : 'the model now refuses', {
        path: '$.refusal',
        expected: golden.refusal ?? null,
        received: candidate.refusal ?? null,
      }),
    )
  }
  const calls = pairToolCalls(golden.toolCalls, candidate.toolCalls, scoring.options.toolCallOrder, base, reasons)
  if (reasons.length) {
    return { status: 'diverged', similarity: 0, layer: 'structure', reasons, textSimilarity: undefined, argumentSimilarity: undefined }
  }

  // Layer 3, arguments of each paired call (names already equal).
  let argumentSimilarity: number | undefined
  for (const [g, c] of calls) {
    const call = golden.toolCalls[g]!
    const label = golden.toolCalls.length > 1 ? `tool call ${g + 1} (${call.name})` : `tool call ${call.name}`
    const context: ReasonContext = { layer: 'arguments', where: `${where}, ${label}`, step, candidateStep, tool: call.name, toolCall: g + 1 }
    const compared = scoreJson(call.arguments, candidate.toolCalls[c]!.arguments, scoring, context, 'arguments')
    argumentSimilarity = Math.min(argumentSimilarity ?? 1, compared.similarity)
    reasons.push(...compared.reasons)
  }

  // Layer 4, free text.
  let textSimilarity: number | undefined
  const commentary = golden.toolCalls.length > 0 && candidate.toolCalls.length > 0 && (!golden.text || !candidate.text)
  if ((golden.text || candidate.text) && !commentary) {
    const compared = scoreTexts(golden.text, candidate.text, scoring, { layer: 'text', where: `${where} text`, step, candidateStep, path: '$.text' })
    textSimilarity = compared.similarity
    reasons.push(...compared.reasons)
  }
  if (golden.refusal !== undefined && candidate.refusal !== undefined) {
    const compared = scoreTexts(golden.refusal, candidate.refusal, scoring, { layer: 'text', where: `${where} refusal`, step, candidateStep, path: '$.refusal' })
    textSimilarity = Math.min(textSimilarity ?? 1, compared.similarity)
    reasons.push(...compared.reasons)
  }

  const similarity = Math.min(argumentSimilarity ?? 1, textSimilarity ?? 1)
  const layer = reasons.reduce<DivergenceLayer | undefined>((first, r) => (first === undefined || LAYER_RANK[r.layer] < LAYER_RANK[first] ? r.layer : first), undefined)
  return { status: reasons.length ? 'diverged' : 'equivalent', similarity, layer, reasons, textSimilarity, argumentSimilarity }
}

/**
 * Pairs golden and candidate tool calls (indexes), reporting structural differences into
 * `reasons`. Returns the pairs whose names match, in golden order.
 */
function pairToolCalls(
  golden: readonly ToolCallSignature[],
  candidate: readonly ToolCallSignature[],
  order: 'ignore' | 'strict',
  context: ReasonContext,
  reasons: DivergenceReason[],
): Array<[number, number]> {
  const pairs: Array<[number, number]> = []
  const unmatchedGolden: number[] = []
  const unmatchedCandidate: number[] = []
  if (order === 'strict') {
    const names = (calls: readonly ToolCallSignature[]) => calls.map((call) => call.name)
    const sameSet = golden.length === candidate.length && names(golden).sort().join('\u0000') === names(candidate).sort().join('\u0000')
    if (sameSet && names(golden).join('\u0000') !== names(candidate).join('\u0000')) {
      reasons.push(
        makeReason(context, 'tool-order-changed', `the tool calls ran in another order: ${names(candidate).join(', ')} instead of ${names(golden).join(', ')}`, {
          expected: names(golden),
          received: names(candidate),
        }),
      )
      return pairs
    }
    for (let i = 0; i < Math.max(golden.length, candidate.length); i++) {
      if (i < golden.length && i < candidate.length && golden[i]!.name === candidate[i]!.name) pairs.push([i, i])
      else {
        if (i < golden.length) unmatchedGolden.push(i)
        if (i < candidate.length) unmatchedCandidate.push(i)
      }
    }
  } else {
    const used = new Array<boolean>(candidate.length).fill(false)
    const paired = new Array<boolean>(golden.length).fill(false)
    // Same name and same arguments first, so reordered parallel calls pair with their twins.
    for (const sameArguments of [true, false]) {
      golden.forEach((call, g) => {
        if (paired[g]) return
        const c = candidate.findIndex((other, k) => !used[k] && other.name === call.name && (!sameArguments || jsonEqual(other.arguments, call.arguments)))
        if (c < 0) return
        used[c] = paired[g] = true
        pairs.push([g, c])
      })
    }
    for (let g = 0; g < golden.length; g++) if (!paired[g]) unmatchedGolden.push(g)
    for (let c = 0; c < candidate.length; c++) if (!used[c]) unmatchedCandidate.push(c)
    pairs.sort((x, y) => x[0] - y[0])
  }
  // Leftovers pair up as renamed calls; the rest were added or removed.
  const renamed = Math.min(unmatchedGolden.length, unmatchedCandidate.length)
  for (let k = 0; k < renamed; k++) {
    const g = golden[unmatchedGolden[k]!]!
    const c = candidate[unmatchedCandidate[k]!]!
    reasons.push(
      makeReason({ ...context, tool: g.name, toolCall: unmatchedGolden[k]! + 1 }, 'tool-name-changed', `the agent called ${c.name} instead of ${g.name}`, {
        expected: g.name,
        received: c.name,
      }),
    )
  }
  for (const g of unmatchedGolden.slice(renamed)) {
    const call = golden[g]!
    reasons.push(makeReason({ ...context, tool: call.name, toolCall: g + 1 }, 'tool-call-removed', `the call to ${call.name} is missing`, { expected: call.name }))
  }
  for (const c of unmatchedCandidate.slice(renamed)) {
    const call = candidate[c]!
    reasons.push(makeReason({ ...context, tool: call.name }, 'tool-call-added', `the agent also called ${call.name}`, { received: call.name }))
  }
  return pairs
}
