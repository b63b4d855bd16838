// How numbers read on the page: short, and exact where it matters (cost).

/**
 * USD with enough digits for fractions of a cent.
 *
 * @example
 * formatUsd(0.000412) // → '$0.000412'
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—'
  if (usd === 0) return '$0'
  if (Math.abs(usd) >= 1) return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(2)}`
  if (Math.abs(usd) >= 0.01) return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(4)}`
  // Three significant digits, in plain decimals (never 9e-7).
  const decimals = Math.min(20, 2 - Math.floor(Math.log10(Math.abs(usd))))
  return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(decimals).replace(/0+$/, '').replace(/\.$/, '')}`
}

/**
 * A duration in ms, s or min.
 *
 * @example
 * formatDuration(1530) // → '1.53 s'
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  const abs = Math.abs(ms)
  if (ms === 0) return '0 ms'
  if (abs < 1) return `${ms.toFixed(2)} ms`
  if (abs < 1000) return `${Math.round(ms)} ms`
  if (abs < 60_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((abs % 60_000) / 1000)} s`
}

/**
 * A count with thousands separators.
 *
 * @example
 * formatCount(12345) // → '12,345'
 */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  // By hand: toLocaleString builds an Intl formatter per call, slow over thousands of rows.
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * A signed change, for deltas: '+12', '−$0.0003', '±0'.
 *
 * @example
 * formatDelta(-3, formatCount) // → '−3'
 */
export function formatDelta(value: number | null | undefined, format: (value: number) => string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  if (value === 0) return '±0'
  return `${value > 0 ? '+' : '−'}${format(Math.abs(value))}`
}

/**
 * A date and time in the reader's time zone, to the second, as `2026-03-01 10:00:00` (by
 * hand: the first Intl date formatter costs tens of milliseconds on a cold page).
 *
 * @example
 * formatTime('2026-03-01T10:00:00.000Z') // '2026-03-01 11:00:00' in Paris
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const two = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
}

/**
 * JSON for reading: pretty, strings as they are.
 *
 * @example
 * prettyJson({ a: 1 }) // → '{\n  "a": 1\n}'
 */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined) return ''
  try {
    return JSON.stringify(value, null, 2) ?? String(value)
  } catch {
    return String(value)
  }
}
