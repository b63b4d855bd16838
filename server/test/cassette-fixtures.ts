import type { Cassette } from '@retrace/cassettes'

/**
 * A small format-v1 cassette: one OpenAI chat call answered with text, with its stored step
 * and the recording test. `question` changes its content (and so its hash).
 *
 * @example
 * await t.call('/api/v1/cassettes', { json: { cassette: weatherCassette() } })
 */
export function weatherCassette(question = 'Weather in Paris?'): Cassette {
  return {
    version: 1,
    meta: { recorder: '@retrace/core 0.1.0' },
    run: { result: 'Sunny, 21 °C.', test: { file: 'weather.test.ts', name: 'weather in Paris' } },
    interactions: [
      {
        request: {
          method: 'POST',
          url: 'http://127.0.0.1:40471/v1/chat/completions',
          headers: { authorization: '[REDACTED]', 'content-type': 'application/json' },
          body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } },
        },
        response: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: {
            json: {
              id: 'chatcmpl-1',
              object: 'chat.completion',
              model: 'gpt-4o-mini',
              choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny, 21 °C.' }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
            },
          },
        },
        step: {
          provider: 'openai',
          api: 'openai.chat.completions',
          operation: 'chat',
          model: 'gpt-4o-mini',
          streamed: false,
          complete: true,
          output: [{ type: 'text', content: 'Sunny, 21 °C.' }],
          finishReason: 'stop',
          usage: { inputTokens: 12, outputTokens: 6 },
          costUsd: 0.0000054,
          pricing: 'table',
        },
        timing: { latencyMs: 5, durationMs: 6 },
      },
    ],
  }
}
