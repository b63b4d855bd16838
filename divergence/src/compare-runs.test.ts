import { describe, expect, test } from 'vitest'
import type { JsonValue, Step, StoredStep } from '@retrace/cassettes'
import { compareRuns } from './compare-runs.ts'
import { DivergenceResultSchema } from './divergence-result.ts'
import type { RunRecord } from './run-record.ts'
import { SCORER_ID, SCORER_VERSION } from './scorer.ts'

const base = { provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true } as const
let callId = 0
const text = (content: string): StoredStep => ({ ...base, output: [{ type: 'text', content }], finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5 } })
const tools = (...calls: Array<[string, JsonValue]>): StoredStep => ({
  ...base,
  output: calls.map(([name, args]) => ({ type: 'tool_call' as const, id: `call_${++callId}`, name, arguments: args })),
  finishReason: 'tool_calls',
  usage: { inputTokens: 10, outputTokens: 5 },
})
const run = (steps: Array<Step | StoredStep>, result?: JsonValue): RunRecord => (result === undefined ? { steps } : { steps, result })

const ANSWER = 'The weather in Paris is sunny and 18 degrees.'
const golden = run([tools(['get_weather', { city: 'Paris', units: 'metric' }]), text(ANSWER)], { city: 'Paris', temperature: 18 })

describe('compareRuns', () => {
  test('identical runs short-circuit at the exact layer, volatile fields aside', () => {
    // New tool-call ids, other usage, cost and latency: still identical.
    const candidate = run(
      [
        { ...tools(['get_weather', { units: 'metric', city: 'Paris' }]), usage: { inputTokens: 99, outputTokens: 1 }, costUsd: 1 },
        { ...text(ANSWER), latencyMs: 300 } as StoredStep,
      ],
      { temperature: 18, city: 'Paris' },
    )
    const result = compareRuns(golden, candidate)
    expect(result).toEqual({
      verdict: 'identical',
      score: 1,
      layer: 'exact',
      reasons: [],
      steps: [
        { step: 1, candidateStep: 1, status: 'identical', similarity: 1 },
        { step: 2, candidateStep: 2, status: 'identical', similarity: 1 },
      ],
      scorer: { id: SCORER_ID, version: SCORER_VERSION },
    })
    expect(DivergenceResultSchema.parse(result)).toEqual(result)
  })

  test('a paraphrased answer is equivalent', () => {
    const candidate = run([golden.steps[0]!, text('In Paris it is sunny, 18 degrees.')], golden.result)
    const result = compareRuns(golden, candidate)
    expect(result).toMatchObject({ verdict: 'equivalent', reasons: [] })
    expect(result.layer).toBeUndefined()
    expect(result.firstDivergentStep).toBeUndefined()
    expect(result.score).toBeGreaterThan(0.9)
    expect(result.score).toBeLessThan(1)
    expect(result.steps.map((s) => s.status)).toEqual(['identical', 'equivalent'])
  })

  test('a changed number in the answer diverges at the text layer', () => {
    const result = compareRuns(golden, run([golden.steps[0]!, text('The weather in Paris is sunny and 19 degrees.')], golden.result))
    expect(result).toMatchObject({ verdict: 'diverged', layer: 'text', firstDivergentStep: 2 })
    expect(result.reasons[0]).toMatchObject({ kind: 'critical-token-changed', step: 2, path: '$.text', expected: '18', received: '19' })
    expect(result.reasons[0]!.message).toBe('Step 2 text: number: 18 degrees → 19 degrees (similarity 0.889).')
  })

  test('a negated answer diverges', () => {
    const result = compareRuns(run([text('The refund was processed.')]), run([text('The refund was not processed.')]))
    expect(result.reasons).toEqual([expect.objectContaining({ kind: 'negation-changed', step: 1 })])
  })

  test('a tool name change is reported at the structure layer', () => {
    const candidate = run([tools(['get_forecast', { city: 'Paris', units: 'metric' }]), text(ANSWER)], golden.result)
    const result = compareRuns(golden, candidate)
    expect(result).toMatchObject({ verdict: 'diverged', layer: 'structure', firstDivergentStep: 1 })
    expect(result.reasons).toEqual([expect.objectContaining({ layer: 'structure', kind: 'tool-name-changed', step: 1, expected: 'get_weather', received: 'get_forecast' })])
    expect(result.steps[0]).toMatchObject({ status: 'diverged', similarity: 0, layer: 'structure' })
  })

  test('an argument change is reported at the arguments layer with its JSON path', () => {
    const candidate = run([tools(['get_weather', { city: 'London', units: 'metric' }]), text(ANSWER)], golden.result)
    const result = compareRuns(golden, candidate)
    expect(result).toMatchObject({ verdict: 'diverged', layer: 'arguments', firstDivergentStep: 1 })
    expect(result.reasons).toEqual([
      {
        layer: 'arguments',
        kind: 'argument-changed',
        step: 1,
        tool: 'get_weather',
        toolCall: 1,
        path: '$.arguments.city',
        expected: 'Paris',
        received: 'London',
        similarity: 0,
        message: 'Step 1, tool call get_weather: $.arguments.city changed from "Paris" to "London".',
      },
    ])
  })

  test('reordered parallel tool calls are equivalent unless order is strict', () => {
    const a = run([tools(['get_weather', { city: 'Paris' }], ['get_weather', { city: 'Rome' }]), text('Both sunny.')])
    const b = run([tools(['get_weather', { city: 'Rome' }], ['get_weather', { city: 'Paris' }]), text('Both sunny.')])
    expect(compareRuns(a, b)).toMatchObject({ verdict: 'equivalent', score: 1 })
    expect(compareRuns(a, b, { toolCallOrder: 'strict' })).toMatchObject({ verdict: 'diverged', layer: 'arguments', firstDivergentStep: 1 })
  })

  test('a missing step is a trajectory divergence with the first divergent step', () => {
    const three = run([tools(['search', { q: 'flights' }]), tools(['book', { id: 'AF1' }]), text('Booked AF1.')])
    const skipped = run([tools(['search', { q: 'flights' }]), text('Booked AF1.')])
    const result = compareRuns(three, skipped)
    expect(result).toMatchObject({ verdict: 'diverged', layer: 'trajectory', firstDivergentStep: 2 })
    expect(result.reasons).toEqual([expect.objectContaining({ layer: 'trajectory', kind: 'step-missing', step: 2 })])
    expect(result.reasons[0]!.message).toBe('Step 2: missing from this run (expected tool call book).')
    expect(result.steps.map((s) => [s.step, s.candidateStep, s.status])).toEqual([
      [1, 1, 'identical'],
      [2, undefined, 'missing'],
      [3, 2, 'identical'],
    ])
    expect(result.score).toBeCloseTo(2 / 3, 3)
  })

  test('an extra step is a trajectory divergence; later steps keep both numbers', () => {
    const two = run([tools(['search', { q: 'flights' }]), text('Booked AF1.')])
    const retried = run([tools(['search', { q: 'flights' }]), tools(['search', { q: 'flights' }]), text('Booked AF2.')])
    const result = compareRuns(two, retried)
    expect(result).toMatchObject({ verdict: 'diverged', layer: 'text', firstDivergentStep: 2 })
    expect(result.reasons.map((r) => [r.kind, r.step, r.candidateStep])).toEqual([
      ['critical-token-changed', 2, 3],
      ['step-added', 2, undefined],
    ])
    expect(result.reasons[0]!.message).toBe('Step 2 (step 3 in this run) text: id: AF1 → AF2 (similarity 0.5).')
  })

  test('the result is compared: JSON by path, a string as text, a missing one as a change', () => {
    const steps = [text('Done.')]
    const json = compareRuns(run(steps, { total: 10, currency: 'EUR' }), run(steps, { total: 12, currency: 'eur' }))
    expect(json).toMatchObject({ verdict: 'diverged', layer: 'result' })
    expect(json.firstDivergentStep).toBeUndefined()
    expect(json.reasons).toEqual([expect.objectContaining({ layer: 'result', kind: 'result-changed', path: '$.result.total', expected: 10, received: 12 })])
    expect(compareRuns(run(steps, 'It is 18 degrees in Paris.'), run(steps, 'In Paris it is 18 degrees.')).verdict).toBe('equivalent')
    expect(compareRuns(run(steps, 'It is 18 degrees in Paris.'), run(steps, 'It is 19 degrees in Paris.')).reasons[0]).toMatchObject({
      layer: 'result',
      kind: 'critical-token-changed',
      path: '$.result',
    })
    expect(compareRuns(run(steps, { ok: true }), run(steps)).reasons[0]).toMatchObject({ kind: 'result-changed', expected: { ok: true }, received: null })
  })

  test('thresholds per call change the verdict', () => {
    const a = run([text('The total cost of your cart is $120, including shipping.')])
    const b = run([text('Your cart comes to $120 in total, shipping included.')])
    expect(compareRuns(a, b).verdict).toBe('equivalent')
    expect(compareRuns(a, b, { textThreshold: 0.8 })).toMatchObject({ verdict: 'diverged', layer: 'text', firstDivergentStep: 1 })
    const priced = (amount: number) => run([tools(['charge', { amount }])])
    expect(compareRuns(priced(100), priced(101)).verdict).toBe('diverged')
    expect(compareRuns(priced(100), priced(101), { numberTolerance: 0.01 }).verdict).toBe('equivalent')
    expect(compareRuns(run([tools(['f', { requestId: 'r1', q: 'x' }])]), run([tools(['f', { requestId: 'r2', q: 'x' }])]), { ignorePaths: ['$.arguments.requestId'] }).verdict).toBe(
      'equivalent',
    )
  })

  test('the headline reason is the cheapest layer; every reason is kept', () => {
    const a = run([tools(['search', { q: 'a' }]), tools(['book', { id: 1 }]), text('Booked flight 1.')])
    const b = run([tools(['search', { q: 'b' }]), tools(['cancel', { id: 1 }]), text('Booked flight 1.')])
    const result = compareRuns(a, b)
    expect(result.layer).toBe('structure')
    expect(result.firstDivergentStep).toBe(1)
    expect(result.reasons.map((r) => [r.layer, r.step])).toEqual([
      ['structure', 2],
      ['arguments', 1],
    ])
  })

  test('runs with no steps', () => {
    expect(compareRuns(run([]), run([]))).toMatchObject({ verdict: 'identical', score: 1 })
    expect(compareRuns(run([]), run([text('Hi.')]))).toMatchObject({ verdict: 'diverged', layer: 'trajectory', firstDivergentStep: 1, score: 0 })
  })

  test('accepts full Step records', () => {
    const full: Step = { ...text(ANSWER), input: [{ role: 'user', parts: [{ type: 'text', content: 'Weather?' }] }], tools: [] }
    expect(compareRuns(run([full]), run([text(ANSWER)])).verdict).toBe('identical')
  })

  test('every result validates against the schema', () => {
    const candidate = run([tools(['get_weather', { city: 'Paris', units: 'imperial' }]), text('It is 64 degrees.')], 'done')
    expect(() => DivergenceResultSchema.parse(compareRuns(golden, candidate))).not.toThrow()
  })
})
