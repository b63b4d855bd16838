import type { DetectionResult, DetectorTrace, FailureAttribution } from '@retrace/detectors'
import { buildTraceView, whoAndWhenStep } from '@retrace/detectors'
import type { Terminal } from '../output/terminal.ts'

/**
 * The human report of `retrace detect`: one block per flag, most confident first, with the
 * decisive step, the evidence, and the failure attribution at the end.
 *
 * @example
 * terminal.out(renderDetection(trace, result, attribution, { title: 'run.trace.json', style: terminal.style }))
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
