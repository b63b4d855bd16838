import { streamSSE } from 'hono/streaming'
import { Hono } from 'hono'
import { defineRoute } from '../route-spec.ts'

/** A keep-alive comment this often, so proxies keep the stream open. */
const KEEP_ALIVE_MS = 15_000

export const liveRoute = defineRoute({
  method: 'get',
  path: '/api/v1/live',
  tag: 'live',
  summary:
    'Server-sent events: `traces` events ({"traceIds":[…]}) whenever traces of this project change, from ingest on any server process sharing the store.',
  scope: 'read',
  responses: { 200: { description: 'text/event-stream' } },
  async handler({ key, request, services }) {
    // A throwaway app gives the Hono streaming helper the context it expects.
    const app = new Hono()
    app.get('*', (c) =>
      streamSSE(c, async (stream) => {
        let wake: (() => void) | undefined
        const queue: string[][] = []
        const unsubscribe = services.store.feed.subscribe((message) => {
          if (message.kind !== 'traces.changed' || message.projectId !== key.projectId) return
          queue.push(message.traceIds)
          wake?.()
        })
        stream.onAbort(() => wake?.())
        const onStop = () => wake?.()
        services.stopping.addEventListener('abort', onStop)
        try {
          await stream.writeSSE({ event: 'ready', data: JSON.stringify({ projectId: key.projectId }) })
          while (!stream.aborted && !stream.closed && !services.stopping.aborted) {
            while (queue.length) await stream.writeSSE({ event: 'traces', data: JSON.stringify({ traceIds: queue.shift() }) })
            await new Promise<void>((resolve) => {
              wake = resolve
              setTimeout(resolve, KEEP_ALIVE_MS).unref()
            })
            wake = undefined
            if (!queue.length && !stream.aborted && !services.stopping.aborted) await stream.write(': keep-alive\n\n')
          }
        } finally {
          unsubscribe()
          services.stopping.removeEventListener('abort', onStop)
        }
      }),
    )
    return app.fetch(request)
  },
})
