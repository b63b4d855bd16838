import { z } from 'zod'
import { JsonValueSchema } from '@retrace/cassettes'
import { defineRoute } from '../../api/route-spec.ts'
import { ForkSchema, forkView } from '../../store/fork-records.ts'
import { announceQueued, forkOrNotFound, newForkAt, resolveForkPoint } from './fork-lookup.ts'

/**
 * Ids in paths and bodies.
 *
 * @example
 * idField().safeParse('fk_1').success // → true
 * idField().safeParse('').success // → false
 */
export const idField = () => z.string().min(1).max(1024)
export const forkParams = z.object({ forkId: idField() })
/** The new input of a fork (PROTOCOL.md §8): an array replaces the arguments, anything else the first one. */
export const ModifiedInputSchema = JsonValueSchema.describe('The new input: an array replaces the function’s arguments; a string, number, object or null replaces its first argument (the others are kept).')
export const FunctionNameSchema = z.string().min(1).max(2000).describe('The resumable function to run (default: the trace’s name). A pushed cassette is named after its test: name the function its worker registers.')

export const createFork = defineRoute({
  method: 'post',
  path: '/api/v1/forks',
  tag: 'forks',
  summary: 'Create a fork of a recorded run at one of its spans, with a new input. It runs when replayed (POST /api/v1/forks/{forkId}/replay).',
  scope: 'ingest',
  body: z.strictObject({ trace_id: idField(), fork_point_span_id: idField(), modified_input: ModifiedInputSchema, function: FunctionNameSchema.optional() }),
  responses: { 201: { description: 'The fork (status created).', schema: ForkSchema }, 404: { description: 'No such trace, or no such span in it.' } },
  async handler({ key, body, services }) {
    const resolved = await resolveForkPoint(services, key.projectId, body.trace_id, body.fork_point_span_id)
    const fork = await services.store.forks.createFork(newForkAt(key.projectId, resolved, body.modified_input, body.function))
    return { status: 201, body: forkView(fork) }
  },
})

export const replayFork = defineRoute({
  method: 'post',
  path: '/api/v1/forks/:forkId/replay',
  tag: 'forks',
  summary:
    'Run a fork: it is queued, then sent (a resume command, PROTOCOL.md §8) to one connected process that registered its function, with the recorded run, so the steps before the fork point are served from the recording and the rest run live. 202 when queued now; 200 with the fork unchanged when it already ran or is running (send {"force": true} to run it again).',
  scope: 'ingest',
  params: forkParams,
  body: z.strictObject({ force: z.boolean().optional().describe('Run it again even if it already ran.') }).optional(),
  responses: { 202: { description: 'Queued.', schema: ForkSchema }, 200: { description: 'Already replayed or in progress: not run again.', schema: ForkSchema } },
  async handler({ key, params, body, services }) {
    await forkOrNotFound(services, key.projectId, params.forkId)
    const outcome = (await services.store.forks.requestReplay(key.projectId, params.forkId, body?.force === true))!
    if (outcome.queued) await announceQueued(services, key.projectId)
    return { status: outcome.queued ? 202 : 200, body: forkView(outcome.fork) }
  },
})

export const getFork = defineRoute({
  method: 'get',
  path: '/api/v1/forks/:forkId',
  tag: 'forks',
  summary: 'A fork: its status (created, queued, running, completed, failed, no_worker, cancelled), why (message), and the trace it recorded (fork_trace_id).',
  scope: 'read',
  params: forkParams,
  responses: { 200: { description: 'The fork.', schema: ForkSchema } },
  async handler({ key, params, services }) {
    return { body: forkView(await forkOrNotFound(services, key.projectId, params.forkId)) }
  },
})

export const listForks = defineRoute({
  method: 'get',
  path: '/api/v1/forks',
  tag: 'forks',
  summary: 'The forks of a trace, oldest first.',
  scope: 'read',
  query: z.object({ trace_id: idField() }),
  responses: { 200: { description: 'Forks.', schema: z.object({ forks: z.array(ForkSchema) }) } },
  async handler({ key, query, services }) {
    return { body: { forks: (await services.store.forks.forksOfTrace(key.projectId, query.trace_id)).map(forkView) } }
  },
})
