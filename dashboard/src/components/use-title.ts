import { useEffect } from 'preact/hooks'

/**
 * Sets the document title while the view is shown.
 *
 * @example
 * import { h, render } from 'preact'
 * import { act } from 'preact/test-utils'
 * function TraceView({ name }: { name: string }) {
 *   useTitle(`Trace ${name}`)
 *   return h('h1', null, name)
 * }
 * const root = document.body.appendChild(document.createElement('main'))
 * // act() runs the effects, as the browser does after painting
 * act(() => render(h(TraceView, { name: 'checkout-agent' }), root))
 * document.title // → 'Trace checkout-agent · Retrace'
 * render(null, root)
 */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Retrace` : 'Retrace'
  }, [title])
}
