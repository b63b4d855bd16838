import { z } from 'zod'
import { generateApiKey } from '../../auth/api-keys.ts'
import { ApiError } from '../../errors/server-errors.ts'
import { dayOf } from '../../store/sql/ingest-sql.ts'
import { ConnectionSchema, KeySchema, ProjectSchema, RateLimitSchema, ScopeSchema, type ProjectRecord } from '../../store/store.ts'
import type { ServerServices } from '../server-services.ts'
import { defineRoute } from '../route-spec.ts'
import { orNotFound } from './trace-routes.ts'

const ProjectViewSchema = ProjectSchema.extend({ usageToday: z.object({ events: z.number(), usd: z.number() }).describe('Stored events and LLM spend today (UTC).') })

async function projectView(services: ServerServices, project: ProjectRecord) {
  return { ...project, usageToday: await services.store.usageOn(project.id, dayOf(Date.now())) }
}

/** The key's own project, or 404 (another project's id is never confirmed to exist). */
async function ownProject(services: ServerServices, keyProjectId: string, requested: string): Promise<ProjectRecord> {
  const project = requested === keyProjectId ? await services.store.getProject(requested) : undefined
  if (!project) throw new ApiError(404, 'not_found', `No project ${requested.slice(0, 200)} for this API key.`)
  return project
}

const projectParam = z.object({ projectId: z.string().min(1).max(1024) })

export const listProjects = defineRoute({
  method: 'get',
  path: '/api/v1/projects',
  tag: 'projects',
  summary: 'The projects this key can see (its own).',
  scope: 'read',
  responses: { 200: { description: 'Projects.', schema: z.object({ projects: z.array(ProjectViewSchema) }) } },
  async handler({ key, services }) {
    const project = await services.store.getProject(key.projectId)
    return { body: { projects: project ? [await projectView(services, project)] : [] } }
  },
})

export const getProject = defineRoute({
  method: 'get',
  path: '/api/v1/projects/:projectId',
  tag: 'projects',
  summary: 'One project with its budgets and today’s usage.',
  scope: 'read',
  params: projectParam,
  responses: { 200: { description: 'The project.', schema: z.object({ project: ProjectViewSchema }) }, 404: { description: 'Not this key’s project.' } },
  async handler({ key, params, services }) {
    return { body: { project: await projectView(services, await ownProject(services, key.projectId, params.projectId)) } }
  },
})

export const updateProject = defineRoute({
  method: 'patch',
  path: '/api/v1/projects/:projectId',
  tag: 'projects',
  summary: 'Rename a project, set its budgets (policy checks) and daily event quota (402). null clears a limit.',
  scope: 'admin',
  params: projectParam,
  body: z.strictObject({
    name: z.string().min(1).max(200).optional(),
    budgets: BudgetsPatch(),
    maxEventsPerDay: z.number().int().positive().nullable().optional(),
  }),
  responses: { 200: { description: 'The updated project.', schema: z.object({ project: ProjectViewSchema }) }, 404: { description: 'Not this key’s project.' } },
  async handler({ key, params, body, services }) {
    await ownProject(services, key.projectId, params.projectId)
    const updated = await services.store.updateProject(params.projectId, body)
    await services.store.feed.publish({ kind: 'project.updated', projectId: params.projectId })
    return { body: { project: await projectView(services, updated!) } }
  },
})

function BudgetsPatch() {
  return z
    .strictObject({
      usdPerDay: z.number().nonnegative().nullable().optional(),
      stepsPerRun: z.number().int().positive().nullable().optional(),
      usdPerRun: z.number().nonnegative().nullable().optional(),
    })
    .optional()
}

export const createProject = defineRoute({
  method: 'post',
  path: '/api/v1/projects',
  tag: 'projects',
  summary: 'Create a project in the same account; the answer holds its first admin key, shown only this once.',
  scope: 'admin',
  body: z.strictObject({ name: z.string().min(1).max(200) }),
  responses: { 201: { description: 'The project and its key.', schema: z.object({ project: ProjectViewSchema, key: KeySchema, secret: z.string() }) } },
  async handler({ key, body, services }) {
    const project = await services.store.createProject(key.accountId, body.name)
    const made = generateApiKey()
    const record = await services.store.createKey({ id: made.id, projectId: project.id, accountId: project.accountId, name: 'first key', prefix: made.prefix, hash: made.hash, scopes: ['ingest', 'read', 'admin'] })
    return { status: 201, body: { project: await projectView(services, project), key: record, secret: made.secret } }
  },
})

export const listKeys = defineRoute({
  method: 'get',
  path: '/api/v1/keys',
  tag: 'keys',
  summary: 'The project’s API keys (never the secrets).',
  scope: 'admin',
  responses: { 200: { description: 'Keys.', schema: z.object({ keys: z.array(KeySchema) }) } },
  async handler({ key, services }) {
    return { body: { keys: await services.store.listKeys(key.projectId) } }
  },
})

export const createKey = defineRoute({
  method: 'post',
  path: '/api/v1/keys',
  tag: 'keys',
  summary: 'Create an API key for this project; the answer holds the secret, shown only this once.',
  scope: 'admin',
  body: z.strictObject({ name: z.string().min(1).max(200).default('key'), scopes: z.array(ScopeSchema).min(1).default(['ingest', 'read']), rateLimit: RateLimitSchema.optional() }),
  responses: { 201: { description: 'The key and its secret.', schema: z.object({ key: KeySchema, secret: z.string() }) } },
  async handler({ key, body, services }) {
    const made = generateApiKey()
    const record = await services.store.createKey({ id: made.id, projectId: key.projectId, accountId: key.accountId, name: body.name, prefix: made.prefix, hash: made.hash, scopes: [...new Set(body.scopes)], rateLimit: body.rateLimit })
    return { status: 201, body: { key: record, secret: made.secret } }
  },
})

export const updateKey = defineRoute({
  method: 'patch',
  path: '/api/v1/keys/:keyId',
  tag: 'keys',
  summary: 'Rename a key or set its rate limit; the new limit applies from its next request, on every server process.',
  scope: 'admin',
  params: z.object({ keyId: z.string().min(1).max(1024) }),
  body: z.strictObject({ name: z.string().min(1).max(200).optional(), rateLimit: RateLimitSchema.optional() }),
  responses: { 200: { description: 'The updated key.', schema: z.object({ key: KeySchema }) }, 404: { description: 'No such key in this project.' } },
  async handler({ key, params, body, services }) {
    return { body: { key: orNotFound(await services.store.updateKey(key.projectId, params.keyId, body), 'key', params.keyId) } }
  },
})

export const revokeKey = defineRoute({
  method: 'delete',
  path: '/api/v1/keys/:keyId',
  tag: 'keys',
  summary: 'Revoke a key: refused at once on every server process, its WebSocket connections closed (4401).',
  scope: 'admin',
  params: z.object({ keyId: z.string().min(1).max(1024) }),
  responses: { 200: { description: 'The revoked key.', schema: z.object({ key: KeySchema }) }, 404: { description: 'No such key in this project.' } },
  async handler({ key, params, services }) {
    const revoked = orNotFound(await services.store.revokeKey(key.projectId, params.keyId), 'key', params.keyId)
    await services.store.feed.publish({ kind: 'key.revoked', keyId: revoked.id })
    return { body: { key: revoked } }
  },
})

export const listConnections = defineRoute({
  method: 'get',
  path: '/api/v1/connections',
  tag: 'connections',
  summary: 'SDK processes connected to any server process, with the resumable functions each registered.',
  scope: 'read',
  responses: { 200: { description: 'Connections.', schema: z.object({ connections: z.array(ConnectionSchema) }) } },
  async handler({ key, services }) {
    return { body: { connections: await services.store.listConnections(key.projectId, 60_000) } }
  },
})

export const ADMIN_ROUTES = [listProjects, getProject, updateProject, createProject, listKeys, createKey, updateKey, revokeKey, listConnections]
