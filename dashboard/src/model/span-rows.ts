import type { SpanNode } from '../api/api-types.ts'

/** One row of the tree and gantt: a span, its depth, and where its bar goes. */
export interface SpanRow {
  span: SpanNode
  depth: number
  hasChildren: boolean
  /** Bar position in [0, 1] of the run's time range. */
  start: number
  width: number
}

/** The run's time range from its spans, in epoch ms. */
export interface TimeRange {
  startMs: number
  endMs: number
}

const parsed = new Map<string, number>()

/**
 * Epoch ms of an ISO time (0 when it does not parse), remembered: the tree, the gantt and the
 * replay read each span's times, and a 5,000-span trace would parse them 30,000 times.
 *
 * @example
 * isoMs('2026-03-01T10:00:00.000Z') // → 1772359200000
 */
export function isoMs(iso: string): number {
  let ms = parsed.get(iso)
  if (ms === undefined) {
    ms = Date.parse(iso)
    if (!Number.isFinite(ms)) ms = 0
    if (parsed.size > 100_000) parsed.clear()
    parsed.set(iso, ms)
  }
  return ms
}
const time = isoMs

/**
 * The first start and the last end over every span of the tree.
 *
 * @example
 * const span = (id: string, startMs: number, endMs: number, fields: object = {}) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), durationMs: endMs - startMs, status: 'ok' as const, children: [], ...fields })
 * const spans = [span('run', 1733390000000, 1733390001000, { children: [span('call', 1733390000500, 1733390001200)] })]
 * timeRange(spans) // → { startMs: 1733390000000, endMs: 1733390001200 }
 */
export function timeRange(roots: readonly SpanNode[]): TimeRange {
  let startMs = Infinity
  let endMs = -Infinity
  const stack = [...roots]
  while (stack.length) {
    const node = stack.pop()!
    const start = time(node.startedAt)
    const end = Math.max(start + (node.durationMs || 0), time(node.endedAt))
    if (start < startMs) startMs = start
    if (end > endMs) endMs = end
    for (const child of node.children) stack.push(child)
  }
  if (!Number.isFinite(startMs)) return { startMs: 0, endMs: 1 }
  return { startMs, endMs: Math.max(endMs, startMs + 1) }
}

/**
 * The visible rows of the tree, depth first, skipping the children of collapsed spans, with
 * each span's bar placed on the run's time range. Iterative: a 5,000-span trace nested
 * deeply must not overflow the stack.
 *
 * @example
 * const span = (id: string, startMs: number, endMs: number, fields: object = {}) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), durationMs: endMs - startMs, status: 'ok' as const, children: [], ...fields })
 * const spans = [span('run', 0, 1000, { children: [span('call', 500, 1000)] })]
 * spanRows(spans, new Set(), timeRange(spans)).map((row) => row.span.id) // → ['run', 'call']
 * // A collapsed span hides its children:
 * spanRows(spans, new Set(['run']), timeRange(spans)).length // → 1
 */
export function spanRows(roots: readonly SpanNode[], collapsed: ReadonlySet<string>, range: TimeRange): SpanRow[] {
  const rows: SpanRow[] = []
  const total = range.endMs - range.startMs
  const stack: Array<{ node: SpanNode; depth: number }> = []
  for (let index = roots.length - 1; index >= 0; index--) stack.push({ node: roots[index]!, depth: 0 })
  while (stack.length) {
    const { node, depth } = stack.pop()!
    const start = (time(node.startedAt) - range.startMs) / total
    const width = Math.max(0, Math.max(node.durationMs || 0, time(node.endedAt) - time(node.startedAt)) / total)
    rows.push({ span: node, depth, hasChildren: node.children.length > 0, start: clamp01(start), width: Math.min(width, 1 - clamp01(start)) })
    if (collapsed.has(node.id)) continue
    for (let index = node.children.length - 1; index >= 0; index--) stack.push({ node: node.children[index]!, depth: depth + 1 })
  }
  return rows
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0))
}

/**
 * The rows to render for a scroll position: a window of the list (plus some overscan), so a
 * trace of thousands of spans renders a few dozen rows.
 *
 * @example
 * visibleWindow({ count: 5000, rowHeight: 28, scrollTop: 2800, viewport: 420 }) // → { first: 92, last: 123 }
 */
export function visibleWindow(options: { count: number; rowHeight: number; scrollTop: number; viewport: number; overscan?: number }): { first: number; last: number } {
  const overscan = options.overscan ?? 8
  const first = Math.max(0, Math.floor(options.scrollTop / options.rowHeight) - overscan)
  const last = Math.min(options.count - 1, Math.ceil((options.scrollTop + options.viewport) / options.rowHeight) + overscan)
  return { first, last }
}

/**
 * Every span of the tree, depth first.
 *
 * @example
 * const span = (id: string, startMs: number, endMs: number, fields: object = {}) => ({ id, traceId: 't1', kind: 'span' as const, name: id, startedAt: new Date(startMs).toISOString(), endedAt: new Date(endMs).toISOString(), durationMs: endMs - startMs, status: 'ok' as const, children: [], ...fields })
 * const spans = [span('run', 0, 1000, { children: [span('a', 0, 500), span('b', 500, 1000)] })]
 * flattenSpans(spans).map((node) => node.id) // → ['run', 'a', 'b']
 */
export function flattenSpans(roots: readonly SpanNode[]): SpanNode[] {
  const out: SpanNode[] = []
  const stack = [...roots].reverse()
  while (stack.length) {
    const node = stack.pop()!
    out.push(node)
    for (let index = node.children.length - 1; index >= 0; index--) stack.push(node.children[index]!)
  }
  return out
}
