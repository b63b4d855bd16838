import { CLOSE_CODES, type RegisterMessage, type ServerMessage } from '@retrace/protocol'
import type { Logger } from 'pino'
import type { FeedMessage } from '../store/change-feed.ts'
import { newId } from '../store/sql/sql-store.ts'
import type { ConnectionRecord, KeyRecord, Store } from '../store/store.ts'

/** The part of a WebSocket the registry uses. */
export interface ConnectionSocket {
  send(text: string): void
  close(code: number, reason: string): void
}

interface LocalConnection {
  record: ConnectionRecord
  socket: ConnectionSocket
  /** The connection's writes to the store, in order (a later register must not be overtaken). */
  saved: Promise<void>
}

/**
 * The SDK processes connected to this server, and the way to reach one connected to any
 * server on the same store: each connection and its latest `register` (its resumable
 * functions) is kept in the store; a command for a connection another process holds is
 * queued in the store and announced on the feed, and that process sends it. A revoked key
 * closes its connections on every process (4401).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { openStore } from '../store/open-store.ts'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * import { authenticate } from '../auth/api-keys.ts'
 * import { createLogger } from '../logging/logger.ts'
 * const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const registry = new ConnectionRegistry(store, 'srv_1', createLogger({ level: 'silent' }))
 * const sent: string[] = []
 * // A WebSocket of the stream endpoint; here one that keeps what it is sent.
 * const socket = { send: (text: string) => void sent.push(text), close: () => {} }
 * const id = registry.open(await authenticate(store, key.secret, 'ingest'), socket)
 * await registry.register(id, { type: 'register', sdk: '@retrace/core', protocol: 1, resumable: ['weather'] })
 * (await store.forks.localConnections('srv_1')).map((connection) => connection.resumable) // → [['weather']]
 * await registry.send(id, { type: 'ping' }) // → true
 * await registry.close(id)
 * registry.size // → 0
 * registry.dispose()
 * await store.close()
 */
export class ConnectionRegistry {
  readonly #store: Store
  readonly #serverId: string
  readonly #log: Logger
  readonly #local = new Map<string, LocalConnection>()
  readonly #unsubscribe: () => void
  /** Store writes started and not yet settled: `drain()` waits for them. */
  readonly #writes = new Set<Promise<unknown>>()
  /** Set by `drain()`: the store is about to close, nothing more is written to it. */
  #draining = false

  constructor(store: Store, serverId: string, log: Logger) {
    this.#store = store
    this.#serverId = serverId
    this.#log = log
    this.#unsubscribe = store.feed.subscribe((message) => void this.#onFeed(message))
  }

  /** Connections held by this process. */
  get size(): number {
    return this.#local.size
  }

  /** Whether this process holds the connection (a command to it goes straight to its socket). */
  holds(connectionId: string): boolean {
    return this.#local.has(connectionId)
  }

  /** Records a new connection (in the store in the background); returns its id at once. */
  open(key: KeyRecord, socket: ConnectionSocket): string {
    const record: ConnectionRecord = {
      id: newId('conn'),
      serverId: this.#serverId,
      projectId: key.projectId,
      keyId: key.id,
      instanceId: null,
      sdk: null,
      runtime: null,
      resumable: [],
      connectedAt: new Date().toISOString(),
      registeredAt: null,
    }
    const local: LocalConnection = { record, socket, saved: Promise.resolve() }
    this.#local.set(record.id, local)
    this.#save(local)
    return record.id
  }

  /** Keeps `write` in the set `drain()` waits for, until it settles. */
  #track<T>(write: Promise<T>): Promise<T> {
    this.#writes.add(write)
    void write.finally(() => this.#writes.delete(write)).catch(() => {})
    return write
  }

  /** Queues a write of the connection's record after its earlier ones (none once draining). */
  #save(local: LocalConnection): Promise<void> {
    const record = local.record
    local.saved = this.#track(
      local.saved.then(() => (this.#draining ? undefined : this.#store.saveConnection(record))).catch((error: unknown) => this.#log.warn({ err: error }, 'could not save a connection')),
    )
    return local.saved
  }

  /** The latest `register` of a connection replaces the earlier one (PROTOCOL.md §8). */
  async register(connectionId: string, message: RegisterMessage): Promise<void> {
    const local = this.#local.get(connectionId)
    if (!local) return
    local.record = {
      ...local.record,
      instanceId: message.instanceId ?? null,
      sdk: message.sdk,
      runtime: message.runtime ?? null,
      resumable: [...new Set(message.resumable)],
      registeredAt: new Date().toISOString(),
    }
    await this.#save(local)
  }

  async close(connectionId: string): Promise<void> {
    const local = this.#local.get(connectionId)
    if (!local) return
    this.#local.delete(connectionId)
    // After its own writes; not once draining (the server's stop removes every connection of this process).
    await this.#track(
      local.saved.then(() => (this.#draining ? undefined : this.#store.removeConnection(connectionId))).catch((error: unknown) => this.#log.warn({ err: error }, 'could not forget a closed connection')),
    )
  }

  /**
   * Sends a server message to one SDK connection, wherever it is held. Returns false when no
   * live connection has that id.
   */
  async send(connectionId: string, message: ServerMessage): Promise<boolean> {
    const local = this.#local.get(connectionId)
    if (local) {
      local.socket.send(JSON.stringify(message))
      return true
    }
    const remote = await this.#store.getConnection(connectionId)
    if (!remote) return false
    const commandId = newId('cmd')
    await this.#store.enqueueCommand({ id: commandId, serverId: remote.serverId, connectionId, payload: JSON.stringify(message) })
    await this.#store.feed.publish({ kind: 'command', serverId: remote.serverId, commandId })
    return true
  }

  /** Closes every connection of this process with `code` (shutdown: 1001). */
  closeAll(code: number, reason: string): void {
    for (const { socket } of this.#local.values()) socket.close(code, reason)
  }

  dispose(): void {
    this.#unsubscribe()
  }

  /**
   * The shutdown step before the store closes: stops listening to the feed, lets the writes
   * in progress finish and makes every later one a no-op (a socket that closes after this
   * point must not write to a closed store, nor re-insert a row the server's stop removed).
   */
  async drain(): Promise<void> {
    this.#unsubscribe()
    this.#draining = true
    while (this.#writes.size) await Promise.allSettled([...this.#writes])
  }

  async #onFeed(message: FeedMessage): Promise<void> {
    if (message.kind === 'key.revoked') {
      for (const { record, socket } of this.#local.values()) {
        if (record.keyId !== message.keyId) continue
        socket.send(JSON.stringify({ type: 'error', code: 'auth', message: 'This API key was revoked.' }))
        socket.close(CLOSE_CODES.auth, 'key revoked')
      }
      return
    }
    if (message.kind === 'command' && message.serverId === this.#serverId && !this.#draining) {
      try {
        const command = await this.#track(this.#store.takeCommand(message.commandId))
        if (!command) return
        this.#local.get(command.connectionId)?.socket.send(command.payload)
      } catch (error) {
        this.#log.warn({ err: error }, 'could not deliver a command')
      }
    }
  }
}
