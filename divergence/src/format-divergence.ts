import type { DivergenceResult } from './divergence-result.ts'

/**
 * A short human report of a result, for failure messages: the verdict, where it diverged,
 * and the reasons (the headline first).
 *
 * @example
 * import { compareRuns } from '@retrace/divergence'
 * const step = (output: any[], finishReason = 'stop') => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output, finishReason }) as const
 * const weather = (city: string) => step([{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city } }], 'tool_calls')
 * formatDivergence(compareRuns({ steps: [weather('Paris')] }, { steps: [weather('London')] })).split('\n')[1]
 * // → '  - Step 1, tool call get_weather: $.arguments.city changed from "Paris" to "London".'
 */
export function formatDivergence(result: DivergenceResult, options: { maxReasons?: number } = {}): string {
  if (result.verdict === 'identical') return 'Identical to the golden run.'
  if (result.verdict === 'equivalent') return `Equivalent to the golden run (score ${result.score}).`
  const at = result.firstDivergentStep === undefined ? '' : ` at step ${result.firstDivergentStep}`
  const lines = [`Diverged from the golden run${at} (${result.layer} layer, score ${result.score}):`]
  const max = options.maxReasons ?? 10
  for (const reason of result.reasons.slice(0, max)) lines.push(`  - ${reason.message}`)
  if (result.reasons.length > max) lines.push(`  … and ${result.reasons.length - max} more`)
  return lines.join('\n')
}
