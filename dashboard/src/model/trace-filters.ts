/** The Traces page's filters, as they sit in its URL (so a filtered list is a link). */
export interface TraceFilters {
  q: string
  name: string
  status: '' | 'running' | 'completed' | 'failed'
  session: string
  tag: string
  /** `datetime-local` values (the reader's time zone). */
  from: string
  to: string
  minCost: string
  maxCost: string
  sort: 'newest' | 'oldest' | 'cost' | 'duration'
  group: 'traces' | 'sessions'
}

export const EMPTY_FILTERS: TraceFilters = { q: '', name: '', status: '', session: '', tag: '', from: '', to: '', minCost: '', maxCost: '', sort: 'newest', group: 'traces' }

const STATUSES = new Set(['running', 'completed', 'failed'])
const SORTS = new Set(['newest', 'oldest', 'cost', 'duration'])

/**
 * The filters in a page URL's query.
 *
 * @example
 * filtersFromQuery(new URLSearchParams('status=failed&sort=cost')).sort // → 'cost'
 */
export function filtersFromQuery(params: URLSearchParams): TraceFilters {
  const text = (name: keyof TraceFilters) => params.get(name)?.slice(0, 1000) ?? ''
  const status = text('status')
  const sort = text('sort')
  return {
    q: text('q'),
    name: text('name'),
    status: STATUSES.has(status) ? (status as TraceFilters['status']) : '',
    session: text('session'),
    tag: text('tag'),
    from: text('from'),
    to: text('to'),
    minCost: text('minCost'),
    maxCost: text('maxCost'),
    sort: SORTS.has(sort) ? (sort as TraceFilters['sort']) : 'newest',
    group: text('group') === 'sessions' ? 'sessions' : 'traces',
  }
}

/**
 * The page URL query for filters (defaults left out).
 *
 * @example
 * filtersToQuery({ ...EMPTY_FILTERS, status: 'failed' }) // → { status: 'failed' }
 */
export function filtersToQuery(filters: TraceFilters): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(filters) as Array<[keyof TraceFilters, string]>) {
    if (value && value !== EMPTY_FILTERS[name]) out[name] = value
  }
  return out
}

/**
 * The `GET /api/v1/traces` query for filters: local times become ISO instants, costs numbers.
 *
 * @example
 * import { query } from '../api/api-client.ts'
 * // Unset filters are undefined, which `query` leaves out:
 * query(apiTraceQuery({ ...EMPTY_FILTERS, minCost: '0.01' }, 50)) // → '?limit=50&minCost=0.01&sort=newest'
 */
export function apiTraceQuery(filters: TraceFilters, limit: number, cursor?: string): Record<string, string | number | undefined> {
  const instant = (local: string) => {
    if (!local) return undefined
    const ms = new Date(local).getTime()
    return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
  }
  const cost = (value: string) => {
    const number = Number(value)
    return value.trim() !== '' && Number.isFinite(number) && number >= 0 ? number : undefined
  }
  return {
    limit,
    cursor,
    q: filters.q.trim() || undefined,
    name: filters.name.trim() || undefined,
    status: filters.status || undefined,
    session: filters.session.trim() || undefined,
    tag: filters.tag.trim() || undefined,
    from: instant(filters.from),
    to: instant(filters.to),
    minCost: cost(filters.minCost),
    maxCost: cost(filters.maxCost),
    sort: filters.sort,
  }
}
