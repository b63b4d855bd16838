import { describe, expect, test } from 'vitest'
import type { SpanNode, Step } from '../api/api-types.ts'
import { buildPlayback } from './playback.ts'

const at = (ms: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, 0, ms)).toISOString()
const node = (span: Partial<SpanNode> & Pick<SpanNode, 'id' | 'kind' | 'name'>, start: number, duration: number, children: SpanNode[] = []): SpanNode => ({
  traceId: 't1',
  startedAt: at(start),
  endedAt: at(start + duration),
  durationMs: duration,
  status: 'ok',
  children,
  ...span,
})
const step = (input: Step['input'], output: Step['output'], usage = { inputTokens: 10, outputTokens: 5 }, costUsd = 0.001): Step => ({ provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true, input, tools: [], output, usage, costUsd })

const system = { role: 'system' as const, parts: [{ type: 'text' as const, content: 'You answer weather questions.' }] }
const user = { role: 'user' as const, parts: [{ type: 'text' as const, content: 'Weather in Paris?' }] }
const call = { type: 'tool_call' as const, id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }
const result = { type: 'tool_call_response' as const, id: 'call_1', response: { sky: 'sunny' } }

/** The weather agent as the SDK reports it: the tool span is stamped when the next request ends. */
function weatherRun(): SpanNode[] {
  const toolSpan = node({ id: 'tool', kind: 'tool', name: 'get_weather', toolCallId: 'call_1', input: { city: 'Paris' }, output: { sky: 'sunny' } }, 300, 0)
  return [
    node({ id: 'llm1', kind: 'llm', name: 'openai.chat.completions', step: step([system, user], [call]) }, 0, 100, [toolSpan]),
    node({ id: 'llm2', kind: 'llm', name: 'openai.chat.completions', step: step([system, user, { role: 'assistant', parts: [call] }, { role: 'tool', parts: [result] }], [{ type: 'text', content: 'It is sunny in Paris.' }], { inputTokens: 30, outputTokens: 8 }, 0.002) }, 150, 100),
  ]
}

describe('buildPlayback', () => {
  test('steps follow what happened: a tool call plays between the request that asked for it and the one that sent its result', () => {
    const playback = buildPlayback(weatherRun())
    expect(playback.steps.map((s) => s.span.id)).toEqual(['llm1', 'tool', 'llm2'])
    expect(playback.stepOfSpan.get('llm2')).toBe(2)
    expect(playback.steps.map((s) => s.atMs)).toEqual([0, expect.closeTo(150, 2), 150])
  })

  test('the transcript builds up once per line: the conversation a request re-sends is not repeated', () => {
    const playback = buildPlayback(weatherRun())
    const lines = playback.entries.map((entry) => (entry.kind === 'message' ? `${entry.role}: ${entry.text}` : entry.kind === 'tool-call' ? `call ${entry.name} ${JSON.stringify(entry.args)}` : entry.kind === 'tool-result' ? `result ${JSON.stringify(entry.result)}` : entry.text))
    expect(lines).toEqual(['system: You answer weather questions.', 'user: Weather in Paris?', 'call get_weather {"city":"Paris"}', 'result {"sky":"sunny"}', 'assistant: It is sunny in Paris.'])
    expect(playback.entries.map((entry) => entry.step)).toEqual([0, 0, 0, 1, 2])
    expect(playback.visibleEntries).toEqual([3, 4, 5])
  })

  test('running totals add each step’s tokens and cost; elapsed time is the end of the latest step', () => {
    const { running } = buildPlayback(weatherRun())
    expect(running.map((r) => [r.inputTokens, r.outputTokens, r.llmCalls])).toEqual([[10, 5, 1], [10, 5, 1], [40, 13, 2]])
    expect(running[2]!.usd).toBeCloseTo(0.003, 9)
    expect(running.map((r) => r.elapsedMs)).toEqual([100, expect.closeTo(150, 2), 250])
  })

  test('agents, failures and tool spans without a call id each show in the transcript', () => {
    const spans = [
      node({ id: 'a', kind: 'agent', name: 'plan', agent: { id: 'planner', role: 'plan' } }, 0, 50, [
        node({ id: 't', kind: 'tool', name: 'search', input: { q: 'x' }, output: ['hit'] }, 5, 5),
        node({ id: 'e', kind: 'error', name: 'fetch', status: 'error', error: { type: 'HTTP 503', message: 'unavailable' } }, 20, 1),
      ]),
    ]
    const playback = buildPlayback(spans)
    expect(playback.entries.map((entry) => entry.kind)).toEqual(['event', 'tool-call', 'tool-result', 'event'])
    expect(playback.entries[0]).toMatchObject({ text: 'Agent planner (plan) starts: plan', tone: 'agent' })
    expect(playback.entries[3]).toMatchObject({ text: 'fetch: HTTP 503: unavailable', tone: 'error' })
  })

  test('a parent starting with its child plays first; an empty trace has no steps', () => {
    const spans = [node({ id: 'root', kind: 'span', name: 'root' }, 0, 10, [node({ id: 'child', kind: 'span', name: 'child' }, 0, 5)])]
    expect(buildPlayback(spans).steps.map((s) => s.span.id)).toEqual(['root', 'child'])
    expect(buildPlayback([])).toMatchObject({ steps: [], entries: [], running: [] })
  })
})
