import { describe, expect, test } from 'vitest'
import type { SpanNode } from '../api/api-types.ts'
import { flattenSpans, spanRows, timeRange, visibleWindow } from './span-rows.ts'

const at = (ms: number) => new Date(Date.UTC(2026, 2, 1, 10, 0, 0, 0) + ms).toISOString()
const node = (id: string, start: number, duration: number, children: SpanNode[] = []): SpanNode => ({ id, traceId: 't', kind: 'span', name: id, startedAt: at(start), endedAt: at(start + duration), durationMs: duration, status: 'ok', children })

describe('span rows', () => {
  const tree = [node('root', 0, 1000, [node('a', 0, 250, [node('a1', 100, 100)]), node('b', 500, 500)])]

  test('rows are the tree depth first, each bar placed on the run’s time axis', () => {
    const rows = spanRows(tree, new Set(), timeRange(tree))
    expect(rows.map((row) => [row.span.id, row.depth, row.hasChildren])).toEqual([['root', 0, true], ['a', 1, true], ['a1', 2, false], ['b', 1, false]])
    expect(rows.map((row) => [row.start, row.width])).toEqual([[0, 1], [0, 0.25], [0.1, 0.1], [0.5, 0.5]])
  })

  test('a collapsed span hides its descendants', () => {
    expect(spanRows(tree, new Set(['a']), timeRange(tree)).map((row) => row.span.id)).toEqual(['root', 'a', 'b'])
  })

  test('a deeply nested trace (5,000 levels) is flattened without overflowing the stack', () => {
    let deepest = node('s4999', 4999, 1)
    for (let index = 4998; index >= 0; index--) deepest = node(`s${index}`, index, 1, [deepest])
    expect(flattenSpans([deepest])).toHaveLength(5000)
    expect(spanRows([deepest], new Set(), timeRange([deepest])).at(-1)).toMatchObject({ depth: 4999 })
  })

  test('only the rows in view (plus overscan) are rendered', () => {
    expect(visibleWindow({ count: 5000, rowHeight: 28, scrollTop: 28 * 100, viewport: 28 * 10, overscan: 5 })).toEqual({ first: 95, last: 115 })
    expect(visibleWindow({ count: 3, rowHeight: 28, scrollTop: 0, viewport: 448 })).toEqual({ first: 0, last: 2 })
  })
})
