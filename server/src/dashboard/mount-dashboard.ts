import type { Hono } from 'hono'
import { dashboardAssetsDir } from '@retrace/dashboard'
import type { RouteSpec } from '../api/route-spec.ts'
import type { ServerServices } from '../api/server-services.ts'
import { mountSharedRoutes, SHARE_ROUTES } from '../share/share-routes.ts'
import { mountSessionRoutes } from './session-routes.ts'
import { mountDashboardAssets } from './static-assets.ts'
import { getTraceTopology } from './topology-route.ts'

/** The key-authenticated routes the dashboard adds to `/api/v1` (documented in the OpenAPI document). */
export const DASHBOARD_ROUTES: readonly RouteSpec[] = [getTraceTopology, ...SHARE_ROUTES]

/**
 * Mounts what the dashboard needs beyond its API routes: sign-in and sign-out (the cookie),
 * the public share-link routes, and the built page itself at `/`. Call after the API routes.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { generateApiKey } from '../auth/api-keys.ts'
 * import { resolveServerConfig } from '../config/server-config.ts'
 * import { ConnectionRegistry } from '../ingest/connection-registry.ts'
 * import { IngestWriter } from '../ingest/ingest-writer.ts'
 * import { createRateLimiter } from '../ingest/rate-limiter.ts'
 * import { createLogger } from '../logging/logger.ts'
 * import { openStore } from '../store/open-store.ts'
 * import { createApp } from '../api/create-app.ts'
 * // What startServer wires together, over a fresh SQLite store with its first project and key.
 * const config = resolveServerConfig({ databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-')), 'retrace.db')}`, logLevel: 'silent' })
 * const store = await openStore(config.databaseUrl)
 * const key = generateApiKey()
 * const { project } = (await store.bootstrap(key))!
 * const log = createLogger({ level: 'silent' })
 * const services = { config, store, writer: new IngestWriter(store), limiter: createRateLimiter(config.rateLimit), connections: new ConnectionRegistry(store, 'srv_1', log), log, serverId: 'srv_1', publicUrl: () => 'http://127.0.0.1:8787', stopping: new AbortController().signal }
 * const app = createApp(services, { accepting: () => true }, [...DASHBOARD_ROUTES])
 * mountDashboard(app, services)
 * const page = await app.request('/traces/tr_1')
 * ;[page.status, page.headers.get('content-type')?.startsWith('text/html')] // → [200, true]
 * (await app.request('/api/v1/dashboard/session')).status // → 200
 * services.connections.dispose()
 * await store.close()
 */
export function mountDashboard(app: Hono, services: ServerServices, options: { assetsDir?: string } = {}): void {
  mountSessionRoutes(app, services)
  mountSharedRoutes(app, services)
  mountDashboardAssets(app, options.assetsDir ?? dashboardAssetsDir)
}
