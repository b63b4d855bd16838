import type { SseEvent } from '@retrace/cassettes'

/**
 * True for the event that ends a provider's stream: OpenAI's `[DONE]`, Responses'
 * `response.completed` / `incomplete` / `failed`, Anthropic's `message_stop`, or a Gemini
 * chunk carrying a `finishReason`. SDKs often cancel the body right after it, before the
 * connection closes; such a stream was received whole and is recorded as complete.
 *
 * @example
 * isTerminalEvent({ t: 3, text: '[DONE]' }) // true
 */
export function isTerminalEvent(event: SseEvent): boolean {
  if (event.text?.trim() === '[DONE]') return true
  if (event.event === 'message_stop') return true
  const data = event.data
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false
  const type = data.type
  if (type === 'message_stop' || type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') return true
  const candidates = data.candidates
  if (Array.isArray(candidates)) {
    const first = candidates[0]
    return typeof first === 'object' && first !== null && !Array.isArray(first) && typeof first.finishReason === 'string'
  }
  return false
}
