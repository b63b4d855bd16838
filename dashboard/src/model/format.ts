// How numbers read on the page: short, and exact where it matters (cost).

/**
 * USD with enough digits for fractions of a cent.
 *
 * @example
 * formatUsd(0.000412) // '$0.000412'
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—'
  if (usd === 0) return '$0'
  if (Math.abs(usd) >= 1) return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(2)}`
  if (Math.abs(usd) >= 0.01) return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(4)}`
  return `${usd < 0 ? '-' : ''}$${Number(Math.abs(usd).toPrecision(3))}`
}

/**
 * A duration in ms, s or min.
 *
 * @example
 * formatDuration(1530) // '1.53 s'
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
 * formatCount(12345) // '12,345'
 */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  return Math.round(value).toLocaleString('en-US')
}

/**
 * A signed change, for deltas: '+12', '−$0.0003', '±0'.
 *
 * @example
 * formatDelta(-3, formatCount) // '−3'
 */
export function formatDelta(value: number | null | undefined, format: (value: number) => string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  if (value === 0) return '±0'
  return `${value > 0 ? '+' : '−'}${format(Math.abs(value))}`
}

/**
 * A date and time in the reader's locale, to the second.
 *
 * @example
 * formatTime('2026-03-01T10:00:00.000Z') // '01/03/2026, 10:00:00'
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/**
 * JSON for reading: pretty, strings as they are.
 *
 * @example
 * prettyJson({ a: 1 }) // '{\n  "a": 1\n}'
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
