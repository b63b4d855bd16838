import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { importWhoAndWhen } from '@retrace/detectors'
import { createLogger, startServer, type RetraceServer } from '@retrace/server'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'
import { STUCK_TICKET_RUN } from '../../test-support/who-and-when-data.ts'

// `retrace detect <trace-id>`: the built binary fetches a trace stored on a real server and
// runs the detectors over it, as over a file; the exit codes of a missing key, an unreachable
// server and an unknown trace.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
let project: FixtureProject
let server: RetraceServer
let key: string
let traceId: string
const retrace = (args: string[], env: Record<string, string> = {}) => runInProject(project, process.execPath, [retraceBin, ...args], { RETRACE_BASE_URL: server.url, RETRACE_API_KEY: key, ...env })

beforeAll(async () => {
  const { trace } = importWhoAndWhen(STUCK_TICKET_RUN, { source: 'stuck.json' })
  traceId = trace.trace.id
  project = createFixtureProject({ 'stuck.trace.json': JSON.stringify({ version: 1, ...trace }) })
  server = await startServer({ port: 0, databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'retrace-detect-')), 'retrace.db')}`, logger: createLogger({ level: 'silent' }) })
  key = server.firstStart!.apiKey
  const events = [
    { type: 'trace.start', id: `${traceId}:start`, trace: trace.trace },
    ...trace.spans.map((span) => ({ type: 'span', id: span.id, span })),
    { type: 'trace.end', id: `${traceId}:end`, trace: trace.end },
  ]
  const answer = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'x-retrace-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'batch', batchId: 'stuck', events }) })
  expect(await answer.json()).toMatchObject({ accepted: events.length })
  await server.detections.idle()
})
afterAll(async () => {
  await server?.close()
})

describe('retrace detect <trace-id>', () => {
  test('a trace on the server: the same flags as the trace file, and as the server stored', async () => {
    const result = await retrace(['detect', traceId])
    expect(result.code, result.output).toBe(0)
    expect(result.output).toContain(`trace ${traceId} (${server.url}) · who-and-when stuck.json · `)
    expect(result.output).toMatch(/1\. loop · 1\.3 step repetition · WebSurfer · confidence 0\.\d+/)
    expect(result.output).toMatch(/Failure attribution: WebSurfer at step \d+ \(Who&When step 4\) \(loop\)\./)

    const fromServer = JSON.parse((await retrace(['detect', traceId, '--json'])).output)
    const fromFile = JSON.parse((await retrace(['detect', 'stuck.trace.json', '--json'])).output)
    expect(fromServer).toMatchObject({ file: traceId, from: 'server', traceId })
    expect(fromServer.flags).toEqual(fromFile.flags)
    expect(fromServer.attribution).toEqual(fromFile.attribution)
    const stored = (await (await fetch(`${server.url}/api/v1/traces/${traceId}/detections`, { headers: { 'x-retrace-key': key } })).json()) as { flags: unknown[] }
    expect(stored.flags).toEqual(fromServer.flags)
  })

  test('--fail-on a flagged kind exits 7', async () => {
    const result = await retrace(['detect', traceId, '--fail-on', 'loop'])
    expect(result.code).toBe(7)
    expect(result.output).toContain('retrace: 2 flag(s) of a kind in --fail-on (loop).')
  })

  test('an unknown trace exits 2, no key 5, an unreachable server 6; a path that is no file stays a usage error', async () => {
    const unknown = await retrace(['detect', 'tr_nope'])
    expect(unknown.code).toBe(2)
    expect(unknown.output).toContain(`retrace: the server at ${server.url} has no trace tr_nope in this API key's project.`)
    const noKey = await retrace(['detect', traceId], { RETRACE_API_KEY: '' })
    expect(noKey.code).toBe(5)
    expect(noKey.output).toContain('no API key: set RETRACE_API_KEY')
    const offline = await retrace(['detect', traceId], { RETRACE_BASE_URL: 'http://127.0.0.1:9' })
    expect(offline.code).toBe(6)
    expect(offline.output).toContain('cannot reach the Retrace server at http://127.0.0.1:9')
    const refused = await retrace(['detect', traceId], { RETRACE_API_KEY: 'rt_live_wrong' })
    expect(refused.code).toBe(6)
    const missingFile = await retrace(['detect', 'traces/missing.trace.json'])
    expect(missingFile.code).toBe(5)
    expect(missingFile.output).toContain('No such file: traces/missing.trace.json.')
  })
})
