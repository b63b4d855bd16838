import pg from 'pg'
import { parseFeedMessage, type ChangeFeed, type FeedMessage } from '../change-feed.ts'

const CHANNEL = 'retrace_feed'

/**
 * The feed across server processes on one PostgreSQL: `NOTIFY retrace_feed` to publish, one
 * dedicated `LISTEN` connection per process to receive (re-established with backoff if it
 * drops). Notifications are delivered to every listener, the publisher included, after the
 * publishing transaction commits.
 *
 * @example
 * import pg from 'pg'
 * // With PostgreSQL: const feed = await openPostgresFeed(url, pool, (error) => log.warn(error))
 * const url = 'postgres://retrace@127.0.0.1:1/retrace'
 * const pool = new pg.Pool({ connectionString: url })
 * // Nothing listening: it fails at once, never later in the background.
 * await openPostgresFeed(url, pool, () => {}).then(() => 'opened', () => 'failed') // → 'failed'
 * await pool.end()
 */
export async function openPostgresFeed(url: string, pool: pg.Pool, onError: (error: Error) => void): Promise<ChangeFeed> {
  const listeners = new Set<(message: FeedMessage) => void>()
  let client: pg.Client | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined
  let attempt = 0

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'retrace-server-feed' })
    next.on('notification', (notification) => {
      const message = parseFeedMessage(notification.payload)
      if (!message) return
      for (const listener of [...listeners]) listener(message)
    })
    next.on('error', (error) => {
      onError(error)
      scheduleReconnect()
    })
    next.on('end', () => scheduleReconnect())
    await next.connect()
    await next.query(`LISTEN ${CHANNEL}`)
    client = next
    attempt = 0
  }
  const scheduleReconnect = () => {
    client = undefined
    if (closed || retry) return
    const delay = Math.min(10_000, 200 * 2 ** attempt++)
    retry = setTimeout(() => {
      retry = undefined
      connect().catch((error: Error) => {
        onError(error)
        scheduleReconnect()
      })
    }, delay)
    retry.unref()
  }
  await connect()

  return {
    async publish(message) {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(message)])
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      listeners.clear()
      const current = client
      client = undefined
      await current?.end().catch(() => {})
    },
  }
}
