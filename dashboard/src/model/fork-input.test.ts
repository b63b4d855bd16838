import { describe, expect, test } from 'vitest'
import type { SpanNode } from '../api/api-types.ts'
import { forkInputDraft, parseForkInput } from './fork-input.ts'

const llm = { id: 's', traceId: 't', kind: 'llm', name: 'chat', startedAt: '', endedAt: '', durationMs: 1, status: 'ok', children: [], step: { provider: 'openai', api: 'chat', operation: 'chat', streamed: false, complete: true, input: [{ role: 'user', parts: [{ type: 'text', content: 'first' }] }, { role: 'user', parts: [{ type: 'text', content: 'Weather in Oslo?' }] }], tools: [], output: [] } } as SpanNode

describe('the fork input editor', () => {
  test('a run called with one string edits that string; other arguments are JSON', () => {
    expect(forkInputDraft(['What is the weather in Paris?'], llm)).toEqual({ text: 'What is the weather in Paris?', mode: 'text' })
    expect(forkInputDraft([{ city: 'Paris' }], llm)).toEqual({ text: '{\n  "city": "Paris"\n}', mode: 'json' })
    expect(forkInputDraft(['a', 2], llm)).toEqual({ text: '[\n  "a",\n  2\n]', mode: 'json' })
  })

  test('without a recorded input: the span’s input, else the last user message', () => {
    expect(forkInputDraft(null, { ...llm, input: { q: 1 } } as SpanNode).mode).toBe('json')
    expect(forkInputDraft(null, llm)).toEqual({ text: 'Weather in Oslo?', mode: 'text' })
  })

  test('JSON input must parse; text is sent as it is', () => {
    expect(parseForkInput({ text: '{"city":"Oslo"}', mode: 'json' })).toEqual({ ok: true, value: { city: 'Oslo' } })
    expect(parseForkInput({ text: '{city', mode: 'json' })).toMatchObject({ ok: false, message: expect.stringContaining('Not valid JSON') })
    expect(parseForkInput({ text: '{city', mode: 'text' })).toEqual({ ok: true, value: '{city' })
  })
})
