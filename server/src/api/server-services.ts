import type { Logger } from 'pino'
import type { Perturbation } from '../forks/sensitivity/perturbations.ts'
import type { ServerConfig } from '../config/server-config.ts'
import type { ConnectionRegistry } from '../ingest/connection-registry.ts'
import type { IngestWriter } from '../ingest/ingest-writer.ts'
import type { RateLimiter } from '../ingest/rate-limiter.ts'
import type { Store } from '../store/store.ts'

/** What every handler can use: one instance per server process. */
export interface ServerServices {
  config: ServerConfig
  store: Store
  writer: IngestWriter
  limiter: RateLimiter
  connections: ConnectionRegistry
  log: Logger
  /** This process's id among the servers sharing the store. */
  serverId: string
  /** The URL clients reach this server at (for links in answers). */
  publicUrl(): string
  /** Aborted when the server starts to stop: long-lived answers (live updates) end then. */
  stopping: AbortSignal
  /** Perturbations offered to sensitivity runs beside the built-in ones (`startServer({ perturbations })`). */
  perturbations?: readonly Perturbation[] | undefined
}
