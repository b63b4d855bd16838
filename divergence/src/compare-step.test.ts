import { describe, expect, test } from 'vitest'
import type { JsonValue, StoredStep } from '@retrace/cassettes'
import { compareSteps } from './compare-step.ts'

const base = { provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true } as const
const calls = (...list: Array<[string, JsonValue]>): StoredStep => ({
  ...base,
  output: list.map(([name, args], i) => ({ type: 'tool_call' as const, id: `call_${i}`, name, arguments: args })),
  finishReason: 'tool_calls',
})

describe('compareSteps', () => {
  test('reordered parallel tool calls are equivalent by default', () => {
    const golden = calls(['get_weather', { city: 'Paris' }], ['get_weather', { city: 'London' }], ['get_time', { tz: 'UTC' }])
    const candidate = calls(['get_time', { tz: 'UTC' }], ['get_weather', { city: 'London' }], ['get_weather', { city: 'Paris' }])
    expect(compareSteps(golden, candidate)).toMatchObject({ status: 'equivalent', similarity: 1, reasons: [] })
  })

  test("toolCallOrder: 'strict' makes the order a structural divergence", () => {
    const golden = calls(['search', {}], ['book', {}])
    const candidate = calls(['book', {}], ['search', {}])
    const outcome = compareSteps(golden, candidate, { toolCallOrder: 'strict' })
    expect(outcome).toMatchObject({ status: 'diverged', layer: 'structure', similarity: 0 })
    expect(outcome.reasons).toEqual([expect.objectContaining({ kind: 'tool-order-changed', expected: ['search', 'book'], received: ['book', 'search'] })])
  })

  test('strict order still pairs same-position calls and diffs their arguments', () => {
    const outcome = compareSteps(calls(['f', { a: 1 }], ['f', { a: 2 }]), calls(['f', { a: 2 }], ['f', { a: 1 }]), { toolCallOrder: 'strict' })
    expect(outcome.reasons.map((r) => [r.kind, r.toolCall, r.path])).toEqual([
      ['argument-changed', 1, '$.arguments.a'],
      ['argument-changed', 2, '$.arguments.a'],
    ])
  })

  test('a renamed, missing or extra tool call is structural', () => {
    expect(compareSteps(calls(['get_weather', {}]), calls(['get_forecast', {}])).reasons).toEqual([
      expect.objectContaining({ layer: 'structure', kind: 'tool-name-changed', expected: 'get_weather', received: 'get_forecast', tool: 'get_weather' }),
    ])
    expect(compareSteps(calls(['a', {}], ['b', {}]), calls(['a', {}])).reasons).toEqual([expect.objectContaining({ kind: 'tool-call-removed', expected: 'b' })])
    expect(compareSteps(calls(['a', {}]), calls(['a', {}], ['c', {}])).reasons).toEqual([expect.objectContaining({ kind: 'tool-call-added', received: 'c' })])
  })

  test('arguments of the same tool are paired by content before being diffed', () => {
    const golden = calls(['get_weather', { city: 'Paris', units: 'metric' }], ['get_weather', { city: 'Rome', units: 'metric' }])
    const candidate = calls(['get_weather', { city: 'Rome', units: 'metric' }], ['get_weather', { city: 'Paris', units: 'imperial' }])
    const outcome = compareSteps(golden, candidate, {}, { step: 2, candidateStep: 2 })
    expect(outcome.layer).toBe('arguments')
    expect(outcome.reasons).toEqual([
      expect.objectContaining({ step: 2, tool: 'get_weather', toolCall: 1, path: '$.arguments.units', expected: 'metric', received: 'imperial' }),
    ])
    expect(outcome.reasons[0]!.message).toBe('Step 2, tool call 1 (get_weather): $.arguments.units changed from "metric" to "imperial".')
  })

  test('finish reason and refusal changes are structural', () => {
    const text = (content: string, finishReason: string): StoredStep => ({ ...base, output: [{ type: 'text', content }], finishReason })
    expect(compareSteps(text('Done.', 'stop'), text('Done.', 'length')).reasons).toEqual([
      expect.objectContaining({ kind: 'finish-reason-changed', expected: 'stop', received: 'length' }),
    ])
    const refusal: StoredStep = { ...base, output: [{ type: 'refusal', content: 'I cannot help with that.' }], finishReason: 'stop' }
    expect(compareSteps(text('Here you go.', 'stop'), refusal).reasons).toEqual([
      expect.objectContaining({ kind: 'refusal-changed', expected: null, received: 'I cannot help with that.', message: 'Step 1: the model now refuses.' }),
    ])
  })

  test('text beside tool calls is commentary when only one side has it', () => {
    const withText: StoredStep = { ...calls(['search', { q: 'x' }]), output: [{ type: 'text', content: 'Let me look that up.' }, ...calls(['search', { q: 'x' }]).output] }
    expect(compareSteps(withText, calls(['search', { q: 'x' }])).status).toBe('equivalent')
    // Without tool calls, text appearing is a real change.
    expect(compareSteps({ ...base, output: [{ type: 'text', content: 'Hello.' }] }, { ...base, output: [] }).status).toBe('diverged')
  })
})
