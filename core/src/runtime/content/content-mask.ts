import type { JsonValue } from '@retrace/cassettes'

/** Which payload a `mask` call is about. */
export interface MaskContext {
  /** A trace's own fields (`input` at start, `output` or `error` at the end), or a span's. */
  kind: 'trace' | 'span'
  /** The run's or the span's name (`runAgent`, `get_weather`, `openai.chat.completions`). */
  name: string
  /** For spans: `llm`, `tool`, `agent`, `span` or `error`. */
  spanKind?: 'llm' | 'tool' | 'agent' | 'span' | 'error'
  /**
   * The payload: `step` is an LLM call's provider-neutral step (messages, tool calls, output);
   * `interaction` the HTTP exchange behind it, as a cassette stores it (it must keep that shape,
   * or it is left out).
   */
  field: 'input' | 'output' | 'error' | 'metadata' | 'step' | 'interaction'
}

/**
 * A function `configure({ mask })` runs over every payload before Retrace's own secret
 * redaction, and before anything is journaled or sent. It returns what to keep; an error
 * message is a string and should stay one, a `step` should keep its shape.
 *
 * @example
 * configure({ mask: (value) => (typeof value === 'string' ? value.replace(/\S+@\S+/g, '<email>') : value) })
 */
export type ContentMask = (value: JsonValue, context: MaskContext) => JsonValue
