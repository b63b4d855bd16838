import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type { Logger } from 'pino'
import { createApp } from './api/create-app.ts'
import { CASSETTE_ROUTES } from './api/routes/cassette-routes.ts'
import { liveRoute } from './api/routes/live-route.ts'
import type { ServerServices } from './api/server-services.ts'
import { generateApiKey } from './auth/api-keys.ts'
import { ForkScheduler } from './forks/dispatch/fork-scheduler.ts'
import type { Perturbation } from './forks/sensitivity/perturbations.ts'
import { FORK_ROUTES } from './forks/routes/index.ts'
import { DASHBOARD_ROUTES, mountDashboard } from './dashboard/mount-dashboard.ts'
import { detectionRoutes } from './detections/detection-routes.ts'
import { DetectionScheduler, type DetectionSchedulerOptions } from './detections/detection-scheduler.ts'
import { resolveServerConfig, type ServerConfig } from './config/server-config.ts'
import { ConnectionRegistry } from './ingest/connection-registry.ts'
import { startDedupeRetention } from './ingest/dedupe-retention.ts'
import { IngestWriter } from './ingest/ingest-writer.ts'
import { createRateLimiter } from './ingest/rate-limiter.ts'
import { createStreamEndpoint } from './ingest/stream-socket.ts'
import { createLogger } from './logging/logger.ts'
import { openStore } from './store/open-store.ts'
import type { Store } from './store/store.ts'

/** Options of {@link startServer}: the configuration (defaults as for the command) plus a logger. */
export interface StartServerOptions extends Partial<ServerConfig> {
  /** A pino logger (default: JSON lines on stderr at `logLevel`). */
  logger?: Logger | undefined
  /** Perturbations sensitivity runs may use beside the built-in ones (see `definePerturbation`). */
  perturbations?: readonly Perturbation[] | undefined
  /** When the multi-agent detectors run (delays, live detection; `liveIntervalMs: 0` turns live runs off). */
  detections?: DetectionSchedulerOptions | undefined
}

/** A running server. */
export interface RetraceServer {
  /** `http://host:port`, with the real port when started with port 0: the SDK's `baseUrl`. */
  readonly url: string
  readonly port: number
  readonly store: Store
  /** Set on the very first start of an empty store: the project made and its API key, shown only this once. */
  readonly firstStart: { projectId: string; apiKey: string } | undefined
  /** This process's id among the servers sharing the store. */
  readonly serverId: string
  readonly connections: ConnectionRegistry
  /** The multi-agent detectors: `detectNow(projectId, traceId)`, and `idle()` once every scheduled run is done. */
  readonly detections: DetectionScheduler
  /** Batches received and not yet acknowledged (what a graceful stop waits for). */
  readonly inFlight: number
  /**
   * Graceful stop: stops accepting, acknowledges the batches in flight, closes connections
   * and the store. Idempotent.
   */
  close(): Promise<void>
}

const HEARTBEAT_MS = 15_000

/**
 * Starts the Retrace API server: opens (and migrates) the store, creates the first project
 * and key on an empty store, and listens for the SDK (`/v1/stream`, `/v1/events`,
 * `/v1/policy/check`) and the read API (`/api/v1`).
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const databaseUrl = `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-server-')), 'retrace.db')}`
 * const server = await startServer({ port: 0, databaseUrl, logLevel: 'silent' })
 * // The SDK then sends runs there: configure({ baseUrl: server.url, apiKey: server.firstStart?.apiKey })
 * server.firstStart?.apiKey.startsWith('rt_') // → true
 * const answer = await fetch(`${server.url}/api/v1/traces`, { headers: { 'x-retrace-key': server.firstStart!.apiKey } })
 * answer.status // → 200
 * await server.close()
 */
export async function startServer(options: StartServerOptions = {}): Promise<RetraceServer> {
  const { logger, perturbations, detections: detectionOptions, ...given } = options
  const config = resolveServerConfig(given)
  const log = logger ?? createLogger({ level: config.logLevel })
  const store = await openStore(config.databaseUrl, { onFeedError: (error) => log.warn({ err: error }, 'store notifications interrupted; reconnecting') })
  const serverId = `srv_${randomUUID()}`
  let firstStart: RetraceServer['firstStart']
  try {
    const key = generateApiKey()
    const created = await store.bootstrap(key)
    if (created) firstStart = { projectId: created.project.id, apiKey: key.secret }
    await store.registerServer(serverId)
  } catch (error) {
    await store.close()
    throw error
  }

  let accepting = true
  let url = ''
  const stopping = new AbortController()
  const connections = new ConnectionRegistry(store, serverId, log)
  const retention = startDedupeRetention({ store, log })
  const services: ServerServices = {
    config,
    store,
    writer: new IngestWriter(store),
    limiter: createRateLimiter(config.rateLimit),
    connections,
    log,
    serverId,
    publicUrl: () => url,
    stopping: stopping.signal,
    perturbations,
  }
  // The multi-agent detectors run after each commit that ends a trace with agent spans, in a worker thread.
  const detections = new DetectionScheduler(services, detectionOptions)
  services.writer.onCommitted((batches) => detections.noteCommitted(batches))
  const app = createApp(services, { accepting: () => accepting }, [...CASSETTE_ROUTES, liveRoute, ...FORK_ROUTES, ...DASHBOARD_ROUTES, ...detectionRoutes(detections)])
  mountDashboard(app, services)
  const forks = new ForkScheduler(services, { workerTimeoutMs: config.forkWorkerTimeoutMs, runTimeoutMs: config.forkRunTimeoutMs })
  const stream = createStreamEndpoint(services)
  const http = createAdaptorServer({ fetch: app.fetch, hostname: config.host, overrideGlobalObjects: false }) as Server
  http.on('upgrade', stream.handleUpgrade)
  http.keepAliveTimeout = 65_000

  const port = await new Promise<number>((resolve, reject) => {
    http.once('error', reject)
    http.listen(config.port, config.host, () => {
      http.off('error', reject)
      resolve((http.address() as AddressInfo).port)
    })
  }).catch(async (error: NodeJS.ErrnoException) => {
    await forks.close()
    await detections.close(0)
    await retention.stop()
    connections.dispose()
    await store.unregisterServer(serverId).catch(() => {})
    await store.close()
    throw error
  })
  url = `http://${displayHost(config.host)}:${port}`
  const heartbeat = setInterval(() => void store.heartbeat(serverId).catch((error: unknown) => log.warn({ err: error }, 'heartbeat failed')), HEARTBEAT_MS)
  heartbeat.unref()
  forks.start()
  log.info({ url, store: store.engine, serverId }, 'listening')

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      accepting = false
      stopping.abort()
      await forks.close()
      stream.stopAccepting()
      clearInterval(heartbeat)
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()))
      // What was received before the stop is committed and acknowledged before anything closes.
      await Promise.race([services.writer.idle(), delay(config.shutdownTimeoutMs)])
      stream.close()
      http.closeIdleConnections()
      const cut = setTimeout(() => {
        stream.terminate()
        http.closeAllConnections()
      }, Math.min(config.shutdownTimeoutMs, 2_000))
      await stopped
      clearTimeout(cut)
      await detections.close(config.shutdownTimeoutMs)
      await connections.drain()
      await retention.stop()
      await store.unregisterServer(serverId).catch(() => {})
      await store.close()
      log.info('stopped')
    })())

  return {
    url,
    port,
    store,
    firstStart,
    serverId,
    connections,
    detections,
    get inFlight() {
      return services.writer.pending
    },
    close,
  }
}

function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}
