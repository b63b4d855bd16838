import type { TraceView } from '../trace/trace-view.ts'
import { DETECTOR_KINDS, type Flag } from '../flags/flag.ts'

/**
 * Orders flags for a person and for failure attribution: most confident first; on a tie, the
 * earlier decisive step (the first mistake explains what follows); then the detector order.
 *
 * @example
 * rankFlags(flags, view)[0] // the flag failure attribution names
 */
export function rankFlags(flags: readonly Flag[], view: TraceView): Flag[] {
  const position = new Map<string, number>()
  for (const step of view.steps) {
    if (!position.has(step.spanId)) position.set(step.spanId, step.index)
    for (const action of step.actions) if (!position.has(action.spanId)) position.set(action.spanId, step.index)
  }
  const at = (flag: Flag) => position.get(flag.spanIds[0]!) ?? Number.MAX_SAFE_INTEGER
  const order = (flag: Flag) => {
    const index = (DETECTOR_KINDS as readonly string[]).indexOf(flag.kind)
    return index < 0 ? DETECTOR_KINDS.length : index
  }
  return [...flags].sort((a, b) => b.confidence - a.confidence || at(a) - at(b) || order(a) - order(b))
}
