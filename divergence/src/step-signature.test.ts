import { describe, expect, test } from 'vitest'
import type { StoredStep } from '@retrace/cassettes'
import { signaturesIdentical, stepSignature } from './step-signature.ts'

const step = (overrides: Partial<StoredStep>): StoredStep => ({
  provider: 'openai',
  api: 'chat.completions',
  operation: 'chat',
  streamed: false,
  complete: true,
  output: [],
  ...overrides,
})

describe('stepSignature', () => {
  test('keeps text, refusal, tool calls and finish reason; drops ids, usage, cost and reasoning', () => {
    const signature = stepSignature(
      step({
        output: [
          { type: 'reasoning', content: 'thinking…' },
          { type: 'text', content: 'Checking.' },
          { type: 'text', content: 'One moment.' },
          { type: 'tool_call', id: 'call_abc', name: 'get_weather', arguments: { city: 'Paris' } },
        ],
        finishReason: 'TOOL_CALLS',
        usage: { inputTokens: 10, outputTokens: 5 },
        costUsd: 0.01,
      }),
    )
    expect(signature).toEqual({ text: 'Checking.\nOne moment.', refusal: undefined, toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], finishReason: 'tool_calls' })
  })

  test('parses arguments sent as a JSON string', () => {
    const signature = stepSignature(step({ output: [{ type: 'tool_call', name: 'f', arguments: '{"a": 1}' }] }))
    expect(signature.toolCalls[0]!.arguments).toEqual({ a: 1 })
    expect(stepSignature(step({ output: [{ type: 'tool_call', name: 'f', arguments: 'plain' }] })).toolCalls[0]!.arguments).toBe('plain')
  })

  test('signaturesIdentical: volatile fields and whitespace do not count, content does', () => {
    const a = step({ output: [{ type: 'text', content: 'Hi  there\r\n' }, { type: 'tool_call', id: '1', name: 'f', arguments: { a: 1, b: 2 } }], usage: { inputTokens: 1, outputTokens: 1 } })
    const b: StoredStep = { ...step({ output: [{ type: 'text', content: 'Hi there' }, { type: 'tool_call', id: '2', name: 'f', arguments: { b: 2, a: 1 } }] }), latencyMs: 5 }
    expect(signaturesIdentical(stepSignature(a), stepSignature(b))).toBe(true)
    const c = step({ output: [{ type: 'text', content: 'Hi there' }, { type: 'tool_call', id: '2', name: 'f', arguments: { a: 1, b: 3 } }] })
    expect(signaturesIdentical(stepSignature(a), stepSignature(c))).toBe(false)
    expect(signaturesIdentical(stepSignature(a), stepSignature({ ...a, finishReason: 'stop' }))).toBe(false)
  })
})
