import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { importWhoAndWhen } from '@retrace/detectors'
import { createLogger, startServer, type RetraceServer } from '@retrace/server'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'

// `retrace detect <trace-id>`: the built binary fetches a trace stored on a real server and
// runs the detectors over it, as over a file; the exit codes of a missing key, an unreachable
// server and an unknown trace.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
let project: FixtureProject
let server: RetraceServer
let key: string
let traceId: string
const retrace = (args: string[], env: Record<string, string> = {}) => runInProject(project, process.execPath, [retraceBin, ...args], { RETRACE_BASE_URL: server.url, RETRACE_API_KEY: key, ...env })

// A Magentic-One run: WebSurfer clicks 'Buy' three times on a page that never changes.
const SCREEN = 'Here is a screenshot of [Tickets](https://tickets.example.com/). The viewport shows 40% of the webpage, and is positioned at the top of the page.'
const stuckRun = {
  question: 'How much is a weekend ticket to the Riverside Jazz Festival?',
  ground_truth: '$85',
  mistake_agent: 'WebSurfer',
  mistake_step: '4',
  history: [
    { role: 'human', content: 'How much is a weekend ticket to the Riverside Jazz Festival?' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Open the festival ticket page and find the weekend ticket price.' },
    ...['Please try clicking Buy again to reach the price list.', 'The weekend pass may sit behind that button; press it once more.', 'One last attempt: use the purchase control and report what opens.'].flatMap((instruction) => [
      { role: 'WebSurfer', content: `I clicked 'Buy'.\n\n${SCREEN}` },
      { role: 'Orchestrator (-> WebSurfer)', content: instruction },
    ]),
    { role: 'Orchestrator (termination condition)', content: 'FINAL ANSWER: $70' },
  ],
}

beforeAll(async () => {
  const { trace } = importWhoAndWhen(stuckRun, { source: 'stuck.json' })
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
