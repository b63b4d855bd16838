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
 * const app = createApp(services, state, [...DASHBOARD_ROUTES])
 * mountDashboard(app, services)
 */
export function mountDashboard(app: Hono, services: ServerServices, options: { assetsDir?: string } = {}): void {
  mountSessionRoutes(app, services)
  mountSharedRoutes(app, services)
  mountDashboardAssets(app, options.assetsDir ?? dashboardAssetsDir)
}
