import { prettyJson } from '../model/format.ts'

/**
 * A JSON value (or text) in a scrollable, focusable block, so a keyboard can scroll it.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * renderToString(<JsonBlock label="Arguments" value={{ city: 'Paris' }} />)
 * // → '<pre class="code" tabindex="0" aria-label="Arguments">{\n  &quot;city&quot;: &quot;Paris&quot;\n}</pre>'
 * renderToString(<JsonBlock label="Output" value="" />) // → '<pre class="code" tabindex="0" aria-label="Output">(empty)</pre>'
 */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const text = prettyJson(value)
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      {text === '' ? '(empty)' : text}
    </pre>
  )
}
