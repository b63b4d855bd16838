import { afterEach, expect, test } from 'vitest'
import { detect, type DetectorTrace } from '@retrace/detectors'
import { DetectionRunner } from './detection-runner.ts'

// The detectors run in a worker thread: same flags as in process, and a trace that breaks
// them, or takes too long, is an error for that trace, never a crash of the server.

const at = (second: number) => new Date(Date.UTC(2026, 2, 1, 9, 0, second)).toISOString()
const trace: DetectorTrace = {
  trace: { id: 'tr_1', name: 'research', startedAt: at(0), input: 'What was the population of Lyon in 2023?' },
  spans: [1, 2, 3].map((n) => ({
    id: `sp_${n}`, traceId: 'tr_1', kind: 'tool' as const, name: 'search_web', status: 'ok' as const, startedAt: at(n), endedAt: at(n + 1), durationMs: 1000,
    agent: { id: 'researcher' }, input: { query: 'Lyon population 2023' }, output: { results: ['Lyon - Wikipedia'] },
  })),
  end: { id: 'tr_1', endedAt: at(5), status: 'completed', output: 'Lyon had 522,250 inhabitants in 2023.', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: 5000 } },
}

const runners: DetectionRunner[] = []
const runner = (options?: ConstructorParameters<typeof DetectionRunner>[0]) => {
  const made = new DetectionRunner(options)
  runners.push(made)
  return made
}
afterEach(async () => {
  await Promise.all(runners.splice(0).map((made) => made.close()))
})

test('the worker finds what detect() finds in process, for traces queued together', async () => {
  const detections = runner()
  const outcomes = await Promise.all([detections.run(trace), detections.run({ ...trace, end: undefined })])
  expect(outcomes[0]).toMatchObject({ result: detect(trace) })
  expect(outcomes[1]).toMatchObject({ result: detect({ ...trace, end: undefined }) })
  expect(outcomes[0]!.durationMs).toBeGreaterThan(0)
})

test('a trace the detectors refuse is an error with their code; the next trace still runs', async () => {
  const detections = runner()
  const twice = { ...trace, spans: [trace.spans[0]!, trace.spans[0]!] }
  const refused = await detections.run(twice)
  expect(refused).toMatchObject({ error: { code: 'RETRACE_TRACE_INVALID' } })
  expect('error' in refused && refused.error.message).toContain('two spans have the id "sp_1"')
  expect(await detections.run(trace)).toMatchObject({ result: { flags: detect(trace).flags } })
})

test('a run over its time limit is stopped and reported; a new worker takes the next trace', async () => {
  const detections = runner({ timeoutMs: 1 })
  expect(await detections.run(trace)).toMatchObject({ error: { code: 'RETRACE_DETECTOR_TIMEOUT', message: expect.stringContaining('longer than 1 ms') } })
  expect(await detections.run(trace)).toMatchObject({ error: { code: 'RETRACE_DETECTOR_TIMEOUT' } })
})

test('after close, traces are refused as "stopping", not run', async () => {
  const detections = runner()
  await detections.close()
  expect(await detections.run(trace)).toMatchObject({ error: { code: 'RETRACE_SERVER_STOPPING' } })
})
