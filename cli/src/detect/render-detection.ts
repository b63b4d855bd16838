import type { DetectionResult, DetectorTrace, FailureAttribution } from '@retrace/detectors'
import { buildTraceView, whoAndWhenStep } from '@retrace/detectors'
import type { Terminal } from '../output/terminal.ts'

/**
 * The human report of `retrace detect`: one block per flag, most confident first, with the
 * decisive step, the evidence, and the failure attribution at the end.
 *
 * @example
 * import { attributeFailure, detect } from '@retrace/detectors'
 * import { cassetteTrace } from './cassette-trace.ts'
 * const search = () => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Population of Lyon in 2023?' }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search_web', arguments: '{"query":"Lyon population 2023"}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const trace = cassetteTrace({ version: 1, interactions: [search(), search(), search()] }, 'lyon.cassette.json')
 * const result = detect(trace)
 * const text = renderDetection(trace, result, attributeFailure(result), { title: 'lyon.cassette.json', style: (_format, text) => text })
 * // Then: terminal.out(text)
 * text.split('\n')[0]!.startsWith('lyon.cassette.json') // → true
 * text.includes('loop') // → true
 */
export function renderDetection(
  trace: DetectorTrace,
  result: DetectionResult,
  attribution: FailureAttribution | undefined,
  options: { title: string; style: Terminal['style'] },
): string {
  const view = buildTraceView(trace)
  const position = new Map<string, number>()
  for (const step of view.steps) {
    position.set(step.spanId, step.index)
    for (const action of step.actions) if (!position.has(action.spanId)) position.set(action.spanId, step.index)
  }
  const where = (spanId: string) => {
    const step = position.get(spanId)
    const original = whoAndWhenStep(trace, spanId)
    return `${step === undefined ? 'span' : `step ${step + 1}`}${original === undefined ? '' : ` (Who&When step ${original})`}`
  }
  const { style } = options
  const lines = [`${style('bold', options.title)} · ${trace.trace.name} · ${view.steps.length} step(s) · ${view.agents.length} agent(s): ${view.agents.join(', ')}`]
  if (result.flags.length === 0) {
    lines.push(`${style('green', 'No flags.')} None of the ${result.detectors.length} detector(s) found a failure.`)
    return `${lines.join('\n')}\n`
  }
  lines.push(`${result.flags.length} flag(s), most confident first:`, '')
  result.flags.forEach((flag, index) => {
    lines.push(`${index + 1}. ${style('yellow', flag.kind)} · ${flag.mastMode} · ${style('bold', flag.agent)} · confidence ${flag.confidence}${flag.source === 'detector' ? '' : ` · by ${flag.source}`}`)
    lines.push(`   ${flag.message}`)
    const decisive = position.get(flag.spanIds[0]!)
    const others = flag.spanIds.slice(1).map((id) => position.get(id)).filter((step): step is number => step !== undefined && step !== decisive)
    lines.push(`   at ${where(flag.spanIds[0]!)}, span ${flag.spanIds[0]}${others.length ? `; also steps ${[...new Set(others)].map((step) => step + 1).join(', ')}` : ''}`)
    for (const quote of flag.evidence.slice(0, 3)) lines.push(`   ${style('dim', quote)}`)
    lines.push('')
  })
  if (attribution) lines.push(`Failure attribution: ${style('bold', attribution.agent)} at ${where(attribution.spanId)} (${attribution.kind}).`)
  return `${lines.join('\n')}\n`
}
