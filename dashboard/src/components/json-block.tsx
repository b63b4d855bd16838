import { prettyJson } from '../model/format.ts'

/**
 * A JSON value (or text) in a scrollable, focusable block, so a keyboard can scroll it.
 *
 * @example
 * <JsonBlock label="Arguments" value={{ city: 'Paris' }} />
 */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  const text = prettyJson(value)
  return (
    <pre class="code" tabIndex={0} aria-label={label}>
      {text === '' ? '(empty)' : text}
    </pre>
  )
}
