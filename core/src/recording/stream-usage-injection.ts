import type { Interaction, SseEvent } from '@retrace/cassettes'

// OpenAI streams chat completions without token usage unless the request sets
// `stream_options.include_usage`. To record usage (and cost) right, the recorder asks for it
// on the wire and hides the extra usage-only chunk from the caller, live and on replay, so
// the agent sees exactly the stream it asked for.

/**
 * The request body to send live instead of the caller's, when usage must be asked for;
 * `undefined` to send the caller's body unchanged.
 *
 * @example
 * withStreamUsage('https://api.openai.com/v1/chat/completions', '{"model":"gpt-4o","stream":true,"messages":[]}')
 * // '{"model":"gpt-4o","stream":true,"messages":[],"stream_options":{"include_usage":true}}'
 */
export function withStreamUsage(url: string, body: string | undefined): string | undefined {
  if (!body || !isChatCompletionsUrl(url) || !body.includes('"stream"')) return undefined
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return undefined
  }
  if (!isRecord(json) || json.stream !== true) return undefined
  const options = isRecord(json.stream_options) ? json.stream_options : {}
  if (options.include_usage !== undefined) return undefined
  return JSON.stringify({ ...json, stream_options: { ...options, include_usage: true } })
}

/**
 * True for the usage-only chunk the recorder asked for (and the caller did not).
 *
 * @example
 * isUsageOnlyChunk({ data: { choices: [], usage: { prompt_tokens: 9, completion_tokens: 2 } } }) // → true
 * isUsageOnlyChunk({ data: { choices: [{ delta: { content: 'Hi' } }] } }) // → false
 */
export function isUsageOnlyChunk(event: Pick<SseEvent, 'data'>): boolean {
  const data = event.data
  return isRecord(data) && Array.isArray(data.choices) && data.choices.length === 0 && isRecord(data.usage)
}

/**
 * True when the interaction's stream carries a usage chunk its caller never asked for, so
 * replay must hide it.
 *
 * @example
 * const streamed = (body: object) => ({ request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: {}, body: { json: { model: 'gpt-4o', stream: true, messages: [], ...body } } } })
 * callerDidNotAskForUsage(streamed({})) // → true
 * callerDidNotAskForUsage(streamed({ stream_options: { include_usage: true } })) // → false
 */
export function callerDidNotAskForUsage(interaction: Interaction): boolean {
  const body = interaction.request.body
  if (!body || !('json' in body) || !isChatCompletionsUrl(interaction.request.url)) return false
  const json = body.json
  if (!isRecord(json) || json.stream !== true) return false
  return !(isRecord(json.stream_options) && json.stream_options.include_usage === true)
}

function isChatCompletionsUrl(url: string): boolean {
  const path = url.split('?')[0]!
  return path.endsWith('/chat/completions')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
