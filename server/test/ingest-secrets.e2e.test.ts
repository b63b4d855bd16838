import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { LOOK_ALIKES, SECRET_SHAPES, type SecretShape } from '../../test-support/secret-corpus.ts'
import { storeTargets } from './store-matrix.ts'
import { openStream, startTestServer, type TestServer } from './test-server.ts'

// Issue 15, the server's half: whatever an older or misconfigured SDK, or a raw client, sends
// is masked with the shared secret rules before it is stored, counted per project, and never
// logged. 30 secret shapes go raw into every content field of a trace, over HTTP and over the
// WebSocket; none may be found through the API, in the database files or tables, or in the logs.

const AT = '2026-03-01T10:00:00.000Z'
/** Not a secret: a marker that shows whether payloads reach the logs at all. */
const PAYLOAD_MARKER = 'payload-marker-7f3e'

/** Strings in this trace that carry the shape: each is one masked value. */
const PLACEMENTS_PER_SHAPE = 14

/** A trace carrying `shape` in every field a client can fill, written as a raw client (no SDK redaction). */
function leakyTrace(traceId: string, shape: SecretShape): WireEvent[] {
  const secretField = { [shape.field]: shape.value }
  return [
    // 3: input, metadata, tags
    { type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: 'leaky-agent', startedAt: AT, input: { question: `${PAYLOAD_MARKER} ${shape.text}` }, metadata: secretField, tags: [shape.text] } },
    // 4: tool input, output, error, metadata
    {
      type: 'span',
      id: `${traceId}-tool`,
      span: { id: `${traceId}-tool`, traceId, kind: 'tool', name: 'load_config', startedAt: AT, endedAt: AT, durationMs: 1, status: 'error', input: { query: shape.text }, output: { config: secretField }, error: { type: 'Error', message: `the API refused ${shape.text}` }, metadata: { note: shape.text } },
    },
    // 5: the step's user message, system message, tool-call arguments, tool response, answer
    {
      type: 'span',
      id: `${traceId}-llm`,
      span: {
        id: `${traceId}-llm`,
        traceId,
        kind: 'llm',
        name: 'openai.chat.completions',
        startedAt: AT,
        endedAt: AT,
        durationMs: 2,
        status: 'ok',
        step: {
          provider: 'openai',
          api: 'openai.chat.completions',
          operation: 'chat',
          model: 'gpt-4o-mini',
          streamed: false,
          complete: true,
          input: [
            { role: 'system', parts: [{ type: 'text', content: `Use ${shape.text}` }] },
            { role: 'user', parts: [{ type: 'text', content: `Check ${shape.text}` }] },
            { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c0', response: secretField }] },
          ],
          tools: [],
          output: [
            { type: 'tool_call', id: 'c1', name: 'lookup', arguments: secretField },
            { type: 'text', content: `The key is ${shape.text}` },
          ],
          usage: { inputTokens: 10, outputTokens: 5 },
          costUsd: 0.001,
        },
      },
    },
    // 2: output, error
    { type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: AT, status: 'failed', output: { answer: shape.text }, error: { type: 'Error', message: `giving up: ${shape.text}` }, totals: { inputTokens: 10, outputTokens: 5, usd: 0.001, durationMs: 3 } } },
  ]
}

const forms = (shape: SecretShape) => [shape.value, JSON.stringify(shape.value).slice(1, -1)]
const leaksIn = (text: string) => SECRET_SHAPES.filter((shape) => forms(shape).some((form) => text.includes(form))).map((shape) => shape.name)

/** Every byte of every table, as text. */
async function databaseText(engine: 'sqlite' | 'postgres', url: string): Promise<string> {
  if (engine === 'sqlite') {
    const folder = dirname(url.replace(/^sqlite:/, ''))
    // The files themselves (database, WAL): what a backup or a stolen disk would hold.
    return readdirSync(folder)
      .map((name) => readFileSync(join(folder, name)).toString('latin1'))
      .join('\n')
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    let text = ''
    for (const { tablename } of tables.rows) text += (await client.query<{ row: string }>(`SELECT t::text AS row FROM "${tablename}" t`)).rows.map((r) => r.row).join('\n')
    return text
  } finally {
    await client.end()
  }
}

describe.each(storeTargets())('secrets sent raw to the server on $engine', (target) => {
  let t: TestServer
  let url: string
  let http: { accepted: number; duplicates: number; rejected?: unknown[] }
  let stream: Record<string, any>

  beforeAll(async () => {
    if (!target.available) return
    url = await target.freshUrl()
    t = await startTestServer(target, { databaseUrl: url, logLevel: 'trace' })
    http = (await t.call('/v1/events', { json: { type: 'batch', batchId: 'raw-http', events: SECRET_SHAPES.flatMap((shape, i) => leakyTrace(`http-${i}`, shape)) } })).body
    const client = await openStream(t.url, t.key)
    client.send({ type: 'batch', batchId: 'raw-ws', events: SECRET_SHAPES.flatMap((shape, i) => leakyTrace(`ws-${i}`, shape)) })
    stream = await client.next((message) => message.batchId === 'raw-ws')
    client.socket.close()
  })
  afterAll(async () => {
    await t?.close()
  })

  describe.skipIf(!target.available)('masked before they are stored', () => {
    test(`${SECRET_SHAPES.length} shapes in every field, over /v1/events and the WebSocket: stored masked, none readable through the API`, async () => {
      expect(SECRET_SHAPES.length).toBeGreaterThanOrEqual(20)
      const events = SECRET_SHAPES.length * 4
      expect(http).toMatchObject({ accepted: events, duplicates: 0 })
      expect(stream).toMatchObject({ type: 'ack', accepted: events, duplicates: 0 })
      let read = ''
      for (const channel of ['http', 'ws']) {
        for (let i = 0; i < SECRET_SHAPES.length; i++) {
          const { status, body } = await t.call(`/api/v1/traces/${channel}-${i}`)
          expect(status).toBe(200)
          // The trace is whole: masking keeps every span and the shape of every value.
          expect(body.trace).toMatchObject({ name: 'leaky-agent', status: 'failed', totals: { spans: 2, llmCalls: 1, errors: 1 } })
          expect(body.spans.map((span: { kind: string }) => span.kind).sort()).toEqual(['llm', 'tool'])
          const llm = body.spans.find((span: { kind: string }) => span.kind === 'llm')
          expect(llm.step.output[1].content).toMatch(/^The key is .*\[REDACTED:/)
          read += JSON.stringify(body)
        }
      }
      read += JSON.stringify((await t.call('/api/v1/traces?limit=200')).body)
      expect(read).toContain(PAYLOAD_MARKER)
      expect(leaksIn(read)).toEqual([])
    })

    test('none is anywhere in the database: the SQLite files, or every PostgreSQL table', async () => {
      const text = await databaseText(target.engine, url)
      expect(text).toContain(PAYLOAD_MARKER)
      expect(text).toContain('[REDACTED:')
      expect(leaksIn(text)).toEqual([])
    })

    test('the project counts what was masked (a resent batch is not counted twice), in the API and its OpenAPI document', async () => {
      const expected = 2 * SECRET_SHAPES.length * PLACEMENTS_PER_SHAPE
      expect((await t.call(`/api/v1/projects/${t.projectId}`)).body.project.secretsMasked).toBe(expected)
      const again = await t.call('/v1/events', { json: { type: 'batch', batchId: 'raw-http-again', events: SECRET_SHAPES.flatMap((shape, i) => leakyTrace(`http-${i}`, shape)) } })
      expect(again.body).toMatchObject({ accepted: 0, duplicates: SECRET_SHAPES.length * 4 })
      expect((await t.call('/api/v1/projects')).body.projects[0].secretsMasked).toBe(expected)
      const other = await t.call('/api/v1/projects', { json: { name: 'clean team' } })
      expect(other.body.project.secretsMasked).toBe(0)
      const openapi = (await t.call('/api/v1/openapi.json', { key: null })).body
      const project = openapi.paths['/api/v1/projects/{projectId}'].get.responses['200'].content['application/json'].schema.properties.project
      expect(project.properties.secretsMasked).toMatchObject({ type: 'integer' })
      expect(project.properties.secretsMasked.description).toMatch(/masked/)
    })

    test('look-alikes are stored as sent; an id that is a secret refuses its event without echoing it', async () => {
      const [stripe] = SECRET_SHAPES.filter((shape) => shape.name === 'stripe secret key')
      const events = [
        { type: 'span', id: 'plain-1', span: { id: 'plain-1', traceId: 'plain', kind: 'tool', name: 'docs', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok', output: { lines: LOOK_ALIKES } } },
        { type: 'span', id: stripe!.value, span: { id: stripe!.value, traceId: 'plain', kind: 'tool', name: 'x', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok' } },
      ]
      const { body } = await t.call('/v1/events', { json: { type: 'batch', batchId: 'ids', events } })
      expect(body).toMatchObject({ accepted: 1, duplicates: 0 })
      expect(body.rejected).toHaveLength(1)
      expect(body.rejected[0].message).toBe('id, span.id: a secret-shaped value; ids must not carry secrets, so nothing of this event was stored.')
      expect(JSON.stringify(body)).not.toContain(stripe!.value)
      const trace = await t.call('/api/v1/traces/plain')
      expect(trace.body.spans[0].output.lines).toEqual(LOOK_ALIKES)
    })

    test('the logs hold no secret and no payload, even at the trace level', async () => {
      expect(t.logs.length).toBeGreaterThan(0)
      expect(t.logText()).not.toContain(PAYLOAD_MARKER)
      expect(leaksIn(t.logText())).toEqual([])
    })
  })
})
