import type { SpanNode } from '../api/api-types.ts'

/** What the editor shows for a fork: the text, and whether it is sent as JSON or as a string. */
export interface ForkInputDraft {
  text: string
  mode: 'text' | 'json'
}

/**
 * The input a fork from `span` starts from, as editable text. A fork's `modified_input`
 * replaces the recorded function's arguments (an array) or its first argument (anything
 * else, PROTOCOL §8): a run called with one string argument edits that string; other runs
 * edit the arguments as JSON. Without a recorded input, the span's own input, or the last
 * user message of an LLM call.
 *
 * @example
 * forkInputDraft(['What is the weather in Paris?'], undefined) // → { text: 'What is the weather in Paris?', mode: 'text' }
 * forkInputDraft([{ city: 'Paris' }, 2], undefined) // → { text: '[\n  {\n    "city": "Paris"\n  },\n  2\n]', mode: 'json' }
 */
export function forkInputDraft(traceInput: unknown, span: SpanNode | undefined): ForkInputDraft {
  const fromValue = (value: unknown): ForkInputDraft => (typeof value === 'string' ? { text: value, mode: 'text' } : { text: JSON.stringify(value, null, 2), mode: 'json' })
  if (Array.isArray(traceInput)) return traceInput.length === 1 ? fromValue(traceInput[0]) : fromValue(traceInput)
  if (traceInput !== null && traceInput !== undefined) return fromValue(traceInput)
  if (span?.input !== undefined) return fromValue(span.input)
  const lastUser = span?.step?.input.filter((message) => message.role === 'user').at(-1)
  const text = lastUser?.parts.flatMap((part) => (part.type === 'text' ? [part.content] : [])).join('\n')
  return { text: text ?? '', mode: 'text' }
}

/**
 * The `modified_input` to send for the edited text: the string itself, or the parsed JSON
 * (an error naming the position when it does not parse).
 *
 * @example
 * parseForkInput({ text: '{"city":"Oslo"}', mode: 'json' }) // → { ok: true, value: { city: 'Oslo' } }
 * parseForkInput({ text: 'Oslo', mode: 'text' }) // → { ok: true, value: 'Oslo' }
 * parseForkInput({ text: '{"city":', mode: 'json' }).ok // → false
 */
export function parseForkInput(draft: ForkInputDraft): { ok: true; value: unknown } | { ok: false; message: string } {
  if (draft.mode === 'text') return { ok: true, value: draft.text }
  try {
    return { ok: true, value: JSON.parse(draft.text) as unknown }
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${(error as Error).message}. Switch to text to send it as a string.` }
  }
}
