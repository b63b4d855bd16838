import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { detect, DETECTORS_VERSION, parseDetectorTrace } from '@retrace/detectors'
import type { WireEvent } from '@retrace/protocol'
import { createLogger } from '../logging/logger.ts'
import { startServer, type RetraceServer } from '../server.ts'
import { storeTargets } from '../../test/store-matrix.ts'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

// The multi-agent detectors on the server, on both stores: when a trace with agent spans
// ends they run in the background and their flags are stored with it; POST …/detect runs them
// on demand; the read API returns them with the rules version.

const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 9, 0, second)).toISOString()
const TASK = 'What was the population of Lyon in 2023?'

/** The researcher calls search_web with the same query `times` times, each seeing the same results. */
const searches = (traceId: string, times: number, from = 1): WireEvent[] =>
  Array.from({ length: times }, (_, index) => {
    const n = from + index
    return {
      type: 'span',
      id: `${traceId}-s${n}`,
      span: {
        id: `${traceId}-s${n}`, traceId, kind: 'tool', name: 'search_web', status: 'ok', startedAt: at(n), endedAt: at(n + 1), durationMs: 1000,
        agent: { id: 'researcher', parentId: 'planner' }, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] },
      },
    }
  })
const start = (traceId: string, extra: Record<string, unknown> = {}): WireEvent => ({ type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'research', startedAt: at(0), input: TASK, ...extra } })
const end = (traceId: string, extra: Record<string, unknown> = { output: 'Lyon had 522,250 inhabitants in 2023.' }): WireEvent => ({
  type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: at(30), status: 'completed', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 30_000 }, ...extra },
})
const batch = (events: WireEvent[]) => ({ type: 'batch', batchId: `b-${Math.random()}`, events })

describe.each(storeTargets())('detections on $engine', (target) => {
  let t: TestServer
  let other: { projectId: string; key: string }

  beforeAll(async () => {
    if (!target.available) return
    // Live runs every 300 ms here (5 s by default), so the test sees one without waiting long.
    t = await startTestServer(target, { detections: { liveIntervalMs: 300 } })
    const created = await t.call('/api/v1/projects', { json: { name: 'other team' } })
    other = { projectId: created.body.project.id, key: created.body.secret }
  })
  afterAll(async () => {
    await t?.close()
  })
  const ingest = async (events: WireEvent[], key = t.key) => {
    const { status, body } = await t.call('/v1/events', { key, json: batch(events) })
    expect(status, JSON.stringify(body)).toBe(200)
    expect(body.rejected ?? []).toEqual([])
  }
  const detections = async (traceId: string, key = t.key) => (await t.call(`/api/v1/traces/${traceId}/detections`, { key })).body

  describe.skipIf(!target.available)('in the background', () => {
    test('a trace with agent spans is detected once it ends: its flags, attribution and rules version are stored with it', async () => {
      await ingest([start('tr-loop'), ...searches('tr-loop', 3)])
      await ingest([end('tr-loop')])
      await t.server.detections.idle()
      const stored = await detections('tr-loop')
      expect(stored).toMatchObject({
        traceId: 'tr-loop', status: 'done', version: DETECTORS_VERSION, currentVersion: DETECTORS_VERSION, outdated: false,
        trigger: 'trace-end', traceStatus: 'completed', spanCount: 3, error: null,
        attribution: { agent: 'researcher', spanId: 'tr-loop-s2', kind: 'loop' },
      })
      expect(stored.flags.map((flag: { kind: string }) => flag.kind)).toEqual(['loop', 'missing-verification'])
      expect(stored.flags[0]).toMatchObject({ mastMode: '1.3 step repetition', agent: 'researcher', spanIds: ['tr-loop-s2', 'tr-loop-s1', 'tr-loop-s3'], source: 'detector' })
      expect(stored.flags[0].evidence.join(' ')).toContain('Lyon population 2023')
      expect(stored.durationMs).toBeGreaterThan(0)
      expect(Date.parse(stored.detectedAt)).toBeGreaterThan(0)
    })

    test('the stored flags are exactly what @retrace/detectors finds in the trace file the server serves', async () => {
      const file = (await t.call('/api/v1/traces/tr-loop/trace-file')).body
      expect(file).toMatchObject({ version: 1, trace: { id: 'tr-loop', name: 'research', input: TASK }, end: { status: 'completed', output: 'Lyon had 522,250 inhabitants in 2023.' } })
      expect(file.spans).toHaveLength(3)
      const local = detect(parseDetectorTrace(file))
      expect((await detections('tr-loop')).flags).toEqual(local.flags)
    })

    test('a trace without agent spans is not detected in the background; POST …/detect runs the detectors on it anyway', async () => {
      const untagged = searches('tr-plain', 3).map((event) => (event.type === 'span' ? { ...event, span: { ...event.span, agent: undefined } } : event))
      await ingest([start('tr-plain'), ...untagged, end('tr-plain')])
      await t.server.detections.idle()
      expect(await detections('tr-plain')).toMatchObject({ status: 'none', flags: [], version: null, attribution: null, currentVersion: DETECTORS_VERSION })
      const { status, body } = await t.call('/api/v1/traces/tr-plain/detect', { method: 'POST' })
      expect(status).toBe(200)
      expect(body).toMatchObject({ status: 'done', trigger: 'on-demand', traceStatus: 'completed', version: DETECTORS_VERSION })
      expect(body.flags.map((flag: { kind: string }) => flag.kind)).toContain('loop')
      expect(await detections('tr-plain')).toEqual(body)
    })

    test('while a trace runs its flags are live; its end and a span arriving after the end run the detectors again', async () => {
      await ingest([start('tr-live'), ...searches('tr-live', 3)])
      await expect.poll(async () => (await detections('tr-live')).trigger, { timeout: 10_000 }).toBe('live')
      const live = await detections('tr-live')
      expect(live).toMatchObject({ traceStatus: 'running', spanCount: 3, status: 'done' })
      // End-of-run detectors wait for the end: no verification flag while it runs.
      expect(live.flags.map((flag: { kind: string }) => flag.kind)).toEqual(['loop'])

      await ingest([end('tr-live', { output: null })])
      await t.server.detections.idle()
      const ended = await detections('tr-live')
      expect(ended).toMatchObject({ trigger: 'trace-end', traceStatus: 'completed', spanCount: 3 })
      // JSON null output is "no answer" to the detectors, as in a trace file.
      expect(ended.flags.map((flag: { kind: string }) => flag.kind)).toContain('premature-termination')

      // A span delivered late (a recovered journal) after the end.
      await ingest(searches('tr-live', 1, 4))
      await t.server.detections.idle()
      expect(await detections('tr-live')).toMatchObject({ trigger: 'trace-end', spanCount: 4 })
    })

    test('flags made by older rules say so, and POST …/detect replaces them with this version’s', async () => {
      await t.server.store.detections.save({
        projectId: t.projectId, traceId: 'tr-loop', trigger: 'trace-end', traceStatus: 'completed', spanCount: 3, version: '0',
        result: { traceId: 'tr-loop', flags: [], detectors: ['loop'], version: '0' }, error: undefined, durationMs: 1,
      })
      expect(await detections('tr-loop')).toMatchObject({ version: '0', currentVersion: DETECTORS_VERSION, outdated: true, flags: [] })
      const rerun = (await t.call('/api/v1/traces/tr-loop/detect', { method: 'POST' })).body
      expect(rerun).toMatchObject({ version: DETECTORS_VERSION, outdated: false, trigger: 'on-demand' })
      expect(rerun.flags[0].kind).toBe('loop')
    })
  })

  /**
   * A server on a fresh database and the key its first start printed; `restart()` closes it and
   * starts a second one on the same database, which has not seen the spans the first stored (as
   * after a restart, or on another instance).
   */
  async function serverToRestart() {
    const options = { port: 0, databaseUrl: await target.freshUrl(), logger: createLogger({ level: 'silent' }) }
    const first = await startServer(options)
    const key = first.firstStart!.apiKey
    return {
      first,
      restart: async () => {
        await first.close()
        return startServer(options)
      },
      send: (server: RetraceServer, events: WireEvent[]) =>
        fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'x-retrace-key': key, 'content-type': 'application/json' }, body: JSON.stringify(batch(events)) }),
      detectionsOf: async (server: RetraceServer, traceId: string) => (await fetch(`${server.url}/api/v1/traces/${traceId}/detections`, { headers: { 'x-retrace-key': key } })).json(),
    }
  }

  test.skipIf(!target.available)('a trace whose agent spans were stored before a restart is detected when its end arrives after it', async () => {
    const { first, restart, send, detectionsOf } = await serverToRestart()
    await send(first, [start('tr-restart'), ...searches('tr-restart', 3)])
    const second = await restart()
    try {
      expect((await send(second, [end('tr-restart')])).status).toBe(200)
      await second.detections.idle()
      expect(await detectionsOf(second, 'tr-restart')).toMatchObject({ status: 'done', trigger: 'trace-end', spanCount: 3, attribution: { agent: 'researcher', kind: 'loop' } })
    } finally {
      await second.close()
    }
  })

  test.skipIf(!target.available)('after a bulk load, traces ended together are checked from a few store reads, and each one with agent spans is detected', async () => {
    const { first, restart, send, detectionsOf } = await serverToRestart()
    // 300 traces: every third has agent spans, the others none. A second process gets their ends,
    // so it has not seen their spans and must look in the store (as after a restart or on another instance).
    const ids = Array.from({ length: 300 }, (_, n) => `tr-bulk-${n}`)
    const withAgents = ids.filter((_, n) => n % 3 === 0)
    const spansOf = (id: string) => (withAgents.includes(id) ? searches(id, 3) : searches(id, 1).map((event) => (event.type === 'span' ? { ...event, span: { ...event.span, agent: undefined } } : event)))
    expect((await send(first, ids.flatMap((id) => [start(id), ...spansOf(id)]))).status).toBe(200)
    const second = await restart()
    try {
      const states = vi.spyOn(second.store.detections, 'states')
      expect((await send(second, ids.map((id) => end(id)))).status).toBe(200)
      await second.detections.idle()
      // One read per trace kept PostgreSQL busy for minutes after a load of 100,000 traces.
      expect(states.mock.calls.length).toBeLessThanOrEqual(5)
      expect(states.mock.calls.flatMap(([, traceIds]) => traceIds).sort()).toEqual([...ids].sort())
      for (const id of [withAgents[0]!, withAgents.at(-1)!]) {
        expect(await detectionsOf(second, id), id).toMatchObject({ status: 'done', trigger: 'trace-end', spanCount: 3, attribution: { agent: 'researcher', kind: 'loop' } })
      }
      expect(await detectionsOf(second, 'tr-bulk-1')).toMatchObject({ status: 'none' })
    } finally {
      await second.close()
    }
  })

  describe.skipIf(!target.available)('the routes', () => {
    test('an unknown trace, or another project’s, is a 404 in the one error shape on every detection route', async () => {
      for (const [method, path] of [['POST', 'detect'], ['GET', 'detections'], ['GET', 'trace-file']] as const) {
        for (const [traceId, key] of [['no-such-trace', t.key], ['tr-loop', other.key]] as const) {
          const { status, body } = await t.call(`/api/v1/traces/${traceId}/${path}`, { method, key })
          expect(status, `${method} ${path} ${traceId}`).toBe(404)
          expect(body).toEqual({ error: { code: 'not_found', message: `No trace ${traceId} in this project.` } })
        }
      }
    })

    test('a read key may run and read detections; a key without read, or none, may not', async () => {
      const reader = (await t.call('/api/v1/keys', { json: { name: 'reader', scopes: ['read'] } })).body.secret
      const ingester = (await t.call('/api/v1/keys', { json: { name: 'ingester', scopes: ['ingest'] } })).body.secret
      expect((await t.call('/api/v1/traces/tr-loop/detect', { method: 'POST', key: reader })).status).toBe(200)
      expect((await t.call('/api/v1/traces/tr-loop/detect', { method: 'POST', key: ingester })).body.error.code).toBe('forbidden')
      expect((await t.call('/api/v1/traces/tr-loop/detections', { key: null })).status).toBe(401)
    })

    test('the OpenAPI document describes the detection routes with the detectors’ flag schema', async () => {
      const { body } = await t.call('/api/v1/openapi.json', { key: null })
      const detectionsSchema = body.paths['/api/v1/traces/{traceId}/detections'].get.responses['200'].content['application/json'].schema
      expect(detectionsSchema.properties.flags.items.properties.mastMode.enum).toContain('2.6 reasoning–action mismatch')
      expect(detectionsSchema.properties.flags.items.required).toEqual(expect.arrayContaining(['kind', 'mastMode', 'agent', 'spanIds', 'evidence', 'confidence']))
      expect(body.paths['/api/v1/traces/{traceId}/detect'].post['x-retrace-scope']).toBe('read')
      expect(body.paths['/api/v1/traces/{traceId}/trace-file'].get.responses['200'].content['application/json'].schema.required).toEqual(expect.arrayContaining(['trace', 'spans']))
    })
  })
})
