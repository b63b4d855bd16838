import type { ComponentChildren } from 'preact'

/**
 * A status line: errors are announced at once (`role="alert"`), the rest politely.
 *
 * @example
 * <Notice tone="error">The server cannot be reached.</Notice>
 */
export function Notice({ tone = 'info', children }: { tone?: 'info' | 'error' | 'success'; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  )
}
