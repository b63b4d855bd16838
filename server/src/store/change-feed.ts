/**
 * What one server process tells the others (and itself): a key revoked, traces changed (live
 * updates), a command for an SDK connection that another process holds.
 */
export type FeedMessage =
  | { kind: 'key.revoked'; keyId: string }
  | { kind: 'project.updated'; projectId: string }
  | { kind: 'traces.changed'; projectId: string; traceIds: string[] }
  | { kind: 'command'; serverId: string; commandId: string }
  | { kind: 'forks.queued'; projectId: string }

/** A publish/subscribe channel that every server process on the same store shares. */
export interface ChangeFeed {
  publish(message: FeedMessage): Promise<void>
  /** Returns the unsubscribe function. */
  subscribe(listener: (message: FeedMessage) => void): () => void
  close(): Promise<void>
}

/** Trace ids carried in one notification at most (PostgreSQL payloads are under 8,000 bytes). */
export const MAX_TRACE_IDS_PER_MESSAGE = 40

/**
 * The feed of the embedded store: one process, so delivery is a function call (on the next
 * tick, like a notification from the database would be).
 *
 * @example
 * const feed = createLocalFeed()
 * const seen: string[] = []
 * feed.subscribe((message) => seen.push(message.kind))
 * await feed.publish({ kind: 'key.revoked', keyId: 'key_1' })
 * seen // → ['key.revoked']
 */
export function createLocalFeed(): ChangeFeed {
  const listeners = new Set<(message: FeedMessage) => void>()
  return {
    async publish(message) {
      queueMicrotask(() => {
        for (const listener of [...listeners]) listener(message)
      })
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async close() {
      listeners.clear()
    },
  }
}

/**
 * Parses a notification payload; undefined for anything that is not a feed message.
 *
 * @example
 * parseFeedMessage('{"kind":"key.revoked","keyId":"key_1"}') // → { kind: 'key.revoked', keyId: 'key_1' }
 * parseFeedMessage('not json') // → undefined
 */
export function parseFeedMessage(payload: string | undefined): FeedMessage | undefined {
  if (!payload) return undefined
  try {
    const message = JSON.parse(payload) as FeedMessage
    return typeof message === 'object' && message !== null && typeof message.kind === 'string' ? message : undefined
  } catch {
    return undefined
  }
}
