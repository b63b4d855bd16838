import { describe, expect, test } from 'vitest'
import { apiTraceQuery, EMPTY_FILTERS, filtersFromQuery, filtersToQuery } from './trace-filters.ts'

describe('trace filters', () => {
  test('a page URL round-trips, leaving defaults out', () => {
    const filters = { ...EMPTY_FILTERS, q: 'paris', status: 'failed' as const, sort: 'cost' as const, minCost: '0.01' }
    const query = filtersToQuery(filters)
    expect(query).toEqual({ q: 'paris', status: 'failed', sort: 'cost', minCost: '0.01' })
    expect(filtersFromQuery(new URLSearchParams(query))).toEqual(filters)
  })

  test('unknown values in the URL fall back to the defaults', () => {
    expect(filtersFromQuery(new URLSearchParams('status=done&sort=random&group=x'))).toEqual(EMPTY_FILTERS)
  })

  test('the API query: times as ISO instants, costs as numbers, blanks and bad numbers left out', () => {
    const query = apiTraceQuery({ ...EMPTY_FILTERS, from: '2026-03-01T10:00', minCost: '0.5', maxCost: 'abc', name: '  ' }, 50, 'cursor-1')
    expect(query).toMatchObject({ limit: 50, cursor: 'cursor-1', minCost: 0.5, maxCost: undefined, name: undefined, sort: 'newest' })
    expect(query.from).toBe(new Date('2026-03-01T10:00').toISOString())
  })
})
