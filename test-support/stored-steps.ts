import type { JsonValue, StoredStep } from '@retrace/cassettes'

// Steps as a cassette stores them, for tests of what reads runs (matchers, reports): an OpenAI
// chat completion by default, with the fields a test cares about overridden.

/**
 * A stored step: an OpenAI chat completion with no output, unless `overrides` say otherwise.
 *
 * @example
 * storedStep({ usage: { inputTokens: 10, outputTokens: 2 } }).provider // → 'openai'
 */
export function storedStep(overrides: Partial<StoredStep> = {}): StoredStep {
  return { provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [], ...overrides }
}

/**
 * A step whose output is one text.
 *
 * @example
 * textStep('Sunny.').output // → [{ type: 'text', content: 'Sunny.' }]
 */
export function textStep(content: string): StoredStep {
  return storedStep({ output: [{ type: 'text', content }], finishReason: 'stop' })
}

/**
 * A step that calls one tool.
 *
 * @example
 * toolCallStep('get_weather', { city: 'Paris' }).output // → [{ type: 'tool_call', name: 'get_weather', arguments: { city: 'Paris' } }]
 */
export function toolCallStep(name: string, args: JsonValue = {}): StoredStep {
  return storedStep({ output: [{ type: 'tool_call', name, arguments: args }] })
}
