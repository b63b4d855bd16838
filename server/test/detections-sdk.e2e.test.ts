import { afterEach, describe, expect, test } from 'vitest'
import { agent, configure, flush, lastTrace, record, shutdown, tool } from '@retrace/core'
import { storeTargets } from './store-matrix.ts'
import { startTestServer } from './test-server.ts'

// A multi-agent run recorded by the runtime SDK (agent(), tool()) and streamed to the server:
// when it ends, the server's detectors flag it, and the flags name the SDK's own span ids.

afterEach(async () => {
  await shutdown(5_000)
  configure({})
})

// Each search takes a few milliseconds, so the three start at distinct times (the order the
// detectors read them in).
const searchWeb = tool('search_web', async (query: string) => {
  await new Promise((resolve) => setTimeout(resolve, 5))
  return { query, results: ['Lyon - Wikipedia'] }
})

/** A planner hands the question to a researcher, who searches the same thing three times. */
const research = record({ name: 'research' }, async (question: string) =>
  agent('planner', { role: 'orchestrator' }, () =>
    agent('researcher', { role: 'web search' }, async () => {
      for (let attempt = 0; attempt < 3; attempt++) await searchWeb('Lyon population 2023')
      return `${question} Lyon had 522,250 inhabitants in 2023.`
    }),
  ),
)

describe.each(storeTargets())('the SDK’s multi-agent runs on $engine', (target) => {
  test.skipIf(!target.available)('a recorded run with agents is detected when it ends: a loop, by the researcher, at its second search', async () => {
    const t = await startTestServer(target)
    try {
      configure({ baseUrl: t.url, apiKey: t.key })
      await research('What was the population of Lyon in 2023?')
      expect(await flush(10_000)).toEqual({ complete: true })
      const recorded = lastTrace()!
      await t.server.detections.idle()
      const { body } = await t.call(`/api/v1/traces/${recorded.id}/detections`)
      const searches = recorded.spans.filter((span) => span.kind === 'tool').sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      expect(body).toMatchObject({ status: 'done', trigger: 'trace-end', traceStatus: 'completed', spanCount: recorded.spans.length })
      expect(body.flags[0]).toMatchObject({ kind: 'loop', agent: 'researcher', spanIds: expect.arrayContaining(searches.map((span) => span.id)) })
      expect(body.attribution).toMatchObject({ agent: 'researcher', kind: 'loop', spanId: searches[1]!.id })
    } finally {
      await t.close()
    }
  })
})
