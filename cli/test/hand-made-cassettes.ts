import { serializeCassette, type Cassette, type Interaction, type JsonValue } from '@retrace/cassettes'
import { extractStep } from '@retrace/core'
import { storedStepOf } from '@retrace/core/internal'

// Small, readable cassettes for the review and hygiene tests: an OpenAI chat tool loop built
// the way the recorder stores it (request, response, and the step extracted from them).

type ChatMessage = { [key: string]: JsonValue }

/** One chat completion: what the agent sent and what the model answered. */
export interface ChatCall {
  messages: ChatMessage[]
  model?: string
  /** The answer text; leave out for a tool-calling turn. */
  text?: string
  toolCalls?: Array<{ id: string; name: string; arguments: JsonValue }>
  usage?: { prompt: number; completion: number }
  latencyMs?: number
  /** The response id, volatile. */
  id?: string
  port?: number
}

/**
 * An OpenAI chat completion interaction, with its stored step.
 *
 * @example
 * chatInteraction({ messages: [{ role: 'user', content: 'Hi' }], text: 'Hello!' })
 */
export function chatInteraction(call: ChatCall): Interaction {
  const toolCalls = call.toolCalls?.map((tool) => ({ id: tool.id, type: 'function', function: { name: tool.name, arguments: JSON.stringify(tool.arguments) } }))
  const interaction: Interaction = {
    request: {
      method: 'POST',
      url: `http://127.0.0.1:${call.port ?? 40471}/v1/chat/completions`,
      headers: { authorization: '[REDACTED]', 'content-type': 'application/json' },
      body: { json: { model: call.model ?? 'gpt-4o-mini', messages: call.messages, tools: [WEATHER_TOOL] } },
    },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        json: {
          id: call.id ?? 'chatcmpl-1',
          object: 'chat.completion',
          model: call.model ?? 'gpt-4o-mini',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: call.text ?? null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
              finish_reason: toolCalls ? 'tool_calls' : 'stop',
            },
          ],
          usage: { prompt_tokens: call.usage?.prompt ?? 90, completion_tokens: call.usage?.completion ?? 10, total_tokens: (call.usage?.prompt ?? 90) + (call.usage?.completion ?? 10) },
        },
      },
    },
    timing: { latencyMs: call.latencyMs ?? 5, durationMs: (call.latencyMs ?? 5) + 1 },
  }
  const step = extractStep(interaction)!
  return { ...interaction, step: storedStepOf(step) }
}

export const WEATHER_TOOL: JsonValue = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
}

/** Options of {@link weatherRun}. */
export interface WeatherRun {
  question?: string
  answer?: string
  city?: string
  callId?: string
  latencyMs?: number
  port?: number
  /** A non-LLM request made before the agent ran (a tool's API). */
  ping?: boolean
  answerTokens?: number
}

/**
 * The fixture weather agent's golden run: one tool call, then the answer.
 *
 * @example
 * const golden = weatherRun()
 * const changed = weatherRun({ answer: 'It is 19 °C in Paris.' })
 */
export function weatherRun(options: WeatherRun = {}): Cassette {
  const question = options.question ?? 'What is the weather in Paris?'
  const city = options.city ?? 'Paris'
  const answer = options.answer ?? `The weather in ${city} is sunny, 18 °C.`
  const callId = options.callId ?? 'call_abc'
  const first = [{ role: 'user', content: question }]
  const toolCall = { id: callId, name: 'get_weather', arguments: { city } }
  const interactions: Interaction[] = []
  if (options.ping) {
    interactions.push({
      request: { method: 'GET', url: `http://127.0.0.1:${options.port ?? 40471}/ping`, headers: {} },
      response: { status: 200, headers: {}, body: { json: { ok: true } } },
      timing: { latencyMs: 2 },
    })
  }
  interactions.push(
    chatInteraction({ messages: first, toolCalls: [toolCall], usage: { prompt: 92, completion: 7 }, latencyMs: options.latencyMs ?? 4, id: `chatcmpl-${callId}-1`, ...(options.port ? { port: options.port } : {}) }),
    chatInteraction({
      messages: [
        ...first,
        { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city }) } }] },
        { role: 'tool', tool_call_id: callId, content: JSON.stringify({ city, sky: 'sunny', temperatureC: 18 }) },
      ],
      text: answer,
      usage: { prompt: 120, completion: options.answerTokens ?? 12 },
      latencyMs: options.latencyMs ?? 3,
      id: `chatcmpl-${callId}-2`,
      ...(options.port ? { port: options.port } : {}),
    }),
  )
  return { version: 1, meta: { recorder: '@retrace/core 0.1.0' }, run: { result: answer, test: { file: 'weather.test.ts', name: 'weather in Paris' } }, interactions }
}

/**
 * A cassette as stored on disk.
 *
 * @example
 * writeFileSync(file, cassetteText(weatherRun()))
 */
export function cassetteText(cassette: Cassette): string {
  return serializeCassette(cassette)
}
