import { useEffect } from 'preact/hooks'

/**
 * Sets the document title while the view is shown.
 *
 * @example
 * useTitle(`Trace ${trace.name}`)
 */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Retrace` : 'Retrace'
  }, [title])
}
