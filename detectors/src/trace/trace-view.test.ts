import { describe, expect, test } from 'vitest'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { buildTraceView, UNKNOWN_AGENT } from '../index.ts'

describe('buildTraceView', () => {
  test('a tool span answering a model tool call becomes that call’s observation, not a step of its own', () => {
    const t = new TraceBuilder('Weather in Paris?')
    t.llm('assistant', { reasoning: 'Use the tool.', calls: [{ name: 'get_weather', args: { city: 'Paris' }, id: 'call_1' }] })
    t.tool('assistant', 'get_weather', { city: 'Paris' }, { sky: 'sunny' }, { toolCallId: 'call_1' })
    t.llm('assistant', { text: 'Sunny in Paris.' })
    const view = buildTraceView(t.end('Sunny in Paris.'))
    expect(view.steps.map((step) => step.spanId)).toEqual(['s1', 's3'])
    expect(view.steps[0]!.actions).toEqual([{ name: 'get_weather', args: { city: 'Paris' }, key: 'get_weather({"city":"Paris"})', spanId: 's2', observation: '{"sky":"sunny"}' }])
    expect(view.steps[0]!.reasoning).toBe('Use the tool.')
    expect(view.steps[1]!.text).toBe('Sunny in Paris.')
    expect(view.task).toBe('Weather in Paris?')
  })

  test('spans inherit the agent of the nearest tagged ancestor; an agent span with children sits at its end', () => {
    const t = new TraceBuilder('Plan a trip.')
    const planner = t.message('planner', 'The plan is ready.')
    t.tool('ignored', 'lookup', { q: 'Rome' }, { ok: true }, { parentSpanId: planner })
    const trace = t.end('done')
    // The child tool span has no tag of its own here: drop it to see inheritance.
    delete (trace.spans[1] as { agent?: unknown }).agent
    // The planner span now has a child: it is a whole agent call, placed where it ended.
    trace.spans[0]!.endedAt = '2025-01-31T09:00:09.000Z'
    const view = buildTraceView(trace)
    expect(view.steps.map((step) => [step.spanId, step.agent])).toEqual([
      ['s2', 'planner'],
      ['s1', 'planner'],
    ])
    expect(view.agentOf('s2')).toBe('planner')
    expect(view.agentOf('nope')).toBe(UNKNOWN_AGENT)
  })

  test('tool results sent back to a model in a later step are observations too; the task falls back to the first user message', () => {
    const t = new TraceBuilder('Weather in Rome?')
    t.llm('a', { calls: [{ name: 'get_weather', args: { city: 'Rome' }, id: 'call_9' }] })
    t.llm('a', { text: 'Rainy.' })
    const trace = t.end('Rainy.')
    trace.spans[1]!.step!.input.push({ role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_9', response: { sky: 'rain' } }] })
    delete trace.trace.input
    const view = buildTraceView(trace)
    expect(view.steps[0]!.actions[0]!.observation).toBe('{"sky":"rain"}')
    expect(view.task).toBe('Weather in Rome?')
  })
})
