/**
 * A USD amount, precise enough for single LLM calls (fractions of a cent) without float noise.
 *
 * @example
 * formatUsd(0.000018) // → '$0.000018'
 * formatUsd(1.5) // → '$1.50'
 */
export function formatUsd(value: number): string {
  const sign = value < 0 ? '-' : ''
  const abs = Math.abs(value)
  if (abs === 0) return '$0'
  if (abs >= 1) return `${sign}$${abs.toFixed(2)}`
  // Six decimals show a one-call cost; trailing zeros are noise.
  if (abs < 0.0000005) return `${sign}<$0.000001`
  return `${sign}$${abs.toFixed(6).replace(/0+$/, '')}`
}

/**
 * A signed difference, `+3` / `-3` / `0`.
 *
 * @example
 * formatDelta(3) // → '+3'
 * formatDelta(-0.5, formatUsd) // → '-$0.5'
 */
export function formatDelta(value: number, format: (value: number) => string = (n) => String(n)): string {
  // Rounding float noise (0.1 + 0.2 - 0.3) to zero keeps "no change" reading as 0.
  if (Math.abs(value) < 1e-12) return '0'
  return value > 0 ? `+${format(value)}` : format(value)
}

/**
 * A token count with thousands separators.
 *
 * @example
 * formatCount(12345) // → '12,345'
 */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US')
}

/**
 * Milliseconds, as people read them.
 *
 * @example
 * formatMs(840) // → '840 ms'
 * formatMs(2300) // → '2.3 s'
 */
export function formatMs(value: number): string {
  const sign = value < 0 ? '-' : ''
  const abs = Math.abs(value)
  return abs < 1000 ? `${sign}${Math.round(abs)} ms` : `${sign}${(abs / 1000).toFixed(1)} s`
}

/**
 * Cuts text to `max` characters (no limit when `max` is undefined), saying how much was left out.
 *
 * @example
 * clip('a'.repeat(500), 10) // → 'aaaaaaaaaa… (+490 chars)'
 */
export function clip(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text
  return `${text.slice(0, max)}… (+${text.length - max} chars)`
}

/**
 * A JSON value on one line: strings as they are, everything else as compact JSON.
 *
 * @example
 * oneLine({ city: 'Paris' }) // → '{"city":"Paris"}'
 */
export function oneLine(value: unknown): string {
  if (typeof value === 'string') return value
  return JSON.stringify(value) ?? String(value)
}

/**
 * Indents every line after the first, so multi-line text stays inside its block.
 *
 * @example
 * hangingIndent('a\nb', '    ') // → 'a\n    b'
 */
export function hangingIndent(text: string, indent: string): string {
  return text.replace(/\r?\n/g, `\n${indent}`)
}
