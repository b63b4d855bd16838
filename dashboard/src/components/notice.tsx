import type { ComponentChildren } from 'preact'

/**
 * A status line: errors are announced at once (`role="alert"`), the rest politely.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * renderToString(<Notice tone="error">The server cannot be reached.</Notice>)
 * // → '<p class="notice notice-error" role="alert">The server cannot be reached.</p>'
 * renderToString(<Notice>Link copied.</Notice>) // → '<p class="notice notice-info" role="status">Link copied.</p>'
 */
export function Notice({ tone = 'info', children }: { tone?: 'info' | 'error' | 'success'; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  )
}
