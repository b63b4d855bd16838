// Finish reasons are normalised to OpenAI's vocabulary (stop, length, tool_calls,
// content_filter), which most tooling already understands; `error` marks a failed call.
// Anything without a clear equivalent is kept, lower-cased, as the provider sent it.

const OPENAI: Readonly<Record<string, string>> = {
  // The legacy `functions` API reports `function_call`; it is the same event as a tool call.
  function_call: 'tool_calls',
}

const ANTHROPIC: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
}

const GEMINI: Readonly<Record<string, string>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
}

/**
 * Normalises an OpenAI Chat Completions `finish_reason`.
 *
 * @example
 * openaiFinishReason('tool_calls')    // → 'tool_calls'
 * openaiFinishReason('function_call') // → 'tool_calls'
 */
export function openaiFinishReason(raw: unknown): string | undefined {
  return normalise(raw, OPENAI)
}

/**
 * Normalises an Anthropic `stop_reason`.
 *
 * @example
 * anthropicFinishReason('end_turn')   // → 'stop'
 * anthropicFinishReason('tool_use')   // → 'tool_calls'
 * anthropicFinishReason('pause_turn') // → 'pause_turn'
 */
export function anthropicFinishReason(raw: unknown): string | undefined {
  return normalise(raw, ANTHROPIC)
}

/**
 * Normalises a Gemini `finishReason`. Gemini reports `STOP` even when the model called a
 * function, so the caller says whether the candidate holds `functionCall` parts.
 *
 * @example
 * geminiFinishReason('STOP', false)      // → 'stop'
 * geminiFinishReason('STOP', true)       // → 'tool_calls'
 * geminiFinishReason('RECITATION', false) // → 'content_filter'
 */
export function geminiFinishReason(raw: unknown, hasFunctionCall: boolean): string | undefined {
  const reason = normalise(raw, GEMINI)
  return reason === 'stop' && hasFunctionCall ? 'tool_calls' : reason
}

/**
 * The finish reason of an OpenAI Responses API response, which reports a status instead.
 *
 * @example
 * responsesFinishReason('completed', undefined, true)            // → 'tool_calls'
 * responsesFinishReason('incomplete', 'max_output_tokens', false) // → 'length'
 */
export function responsesFinishReason(status: unknown, incompleteReason: unknown, hasToolCall: boolean): string | undefined {
  switch (status) {
    case 'completed':
      return hasToolCall ? 'tool_calls' : 'stop'
    case 'incomplete':
      if (incompleteReason === 'max_output_tokens') return 'length'
      return normalise(incompleteReason, {}) ?? 'incomplete'
    case 'failed':
      return 'error'
    case 'in_progress':
    case 'queued':
      // Still running when the body ended: there is no finish reason to report.
      return undefined
    default:
      return normalise(status, {})
  }
}

function normalise(raw: unknown, table: Readonly<Record<string, string>>): string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined
  return table[raw] ?? raw.toLowerCase()
}
