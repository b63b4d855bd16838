// Fork & Replay: what the server and the worker add to each sweep variant, beside the agent's
// own run time. A 4-step tool-using agent against the fake provider answering every call in
// 50 ms; the Retrace server (SQLite) in its own process; this process is the worker
// (startWorker, as `retrace worker` runs it). Per round: 10 variants forked at step 1 (every
// step live) at concurrency 3, and the same 10 inputs run directly, 3 at a time (the anchor).
// - agent run: the fork trace's own duration (record() measures it);
// - overhead per variant: from the server taking the variant for a worker to the server
//   recording its end, minus that run time (sending the resume, starting the run, delivering
//   the trace, ingest, completion);
// - wall per variant: the sweep's wall time vs the direct runs', divided by the variants.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { configure, flush, record, shutdown, startWorker, tool } from '@retrace/core'
import { runtime } from '@retrace/core/internal'
import { startFakeProvider } from '@retrace/fake-provider'
import { median, target, type MeasurementReport, type ReportRow } from './harness.ts'
import { startChild } from './server-ingest.ts'

const LATENCY_MS = 50
const VARIANTS = 10
const CONCURRENCY = 3
const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
]

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]!)
  }))
}

const stats = (name: string, values: number[], extra: Record<string, number> = {}): ReportRow => {
  const sorted = [...values].sort((a, b) => a - b)
  return { name, n: values.length, mean: values.reduce((a, b) => a + b, 0) / values.length, p50: median(sorted), p99: sorted.at(-1)!, rounds: [], ...(Object.keys(extra).length ? { extra } : {}) }
}

/**
 * The fork-overhead report.
 *
 * @example
 * const report = await forkOverhead({ quick: true, log: console.error })
 */
export async function forkOverhead(options: { quick: boolean; log: (line: string) => void }): Promise<MeasurementReport> {
  const rounds = options.quick ? 2 : 5
  const provider = await startFakeProvider({ respond: async () => (await new Promise((resolve) => setTimeout(resolve, LATENCY_MS)), undefined) })
  const dir = mkdtempSync(join(tmpdir(), 'retrace-bench-forks-'))
  const server = await startChild('sqlite', ['retrace', `sqlite:${join(dir, 'retrace.db')}`])
  const journal = process.env.RETRACE_JOURNAL_DIR
  process.env.RETRACE_JOURNAL_DIR = join(dir, 'journal')
  const overheadUs: number[] = []
  const agentUs: number[] = []
  /** Per round: the variants' mean overhead over their mean run time. */
  const roundRatios: number[] = []
  const sweepWall: number[] = []
  const directWall: number[] = []
  try {
    configure({ baseUrl: server.url, apiKey: server.key })
    const getWeather = tool('get_weather', async ({ city }: { city: string }) => ({ city, sky: 'sunny' }))
    const getTime = tool('get_time', async ({ city }: { city: string }) => ({ city, time: '14:05' }))
    const agent = record({ name: 'bench-fork-agent', resumable: true }, async (question: string) => {
      const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: provider.openaiBaseURL, maxRetries: 0 })
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }]
      for (const ask of [question, `And the time there? Use get_time for ${question.split(' ').at(-1)!.replace(/\W/g, '')}`]) {
        if (ask !== question) messages.push({ role: 'user', content: ask })
        for (let turn = 0; turn < 3; turn++) {
          const message = (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS })).choices[0]!.message
          messages.push(message)
          if (!message.tool_calls?.length) break
          for (const call of message.tool_calls) {
            if (call.type !== 'function') continue
            const args = JSON.parse(call.function.arguments) as { city: string }
            messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(call.function.name === 'get_time' ? await getTime(args) : await getWeather(args)) })
          }
        }
      }
      return messages.at(-1)!.content
    })
    await agent('What is the weather in Paris?')
    const traceId = agent.lastTrace!.id
    await flush(10_000)
    const worker = startWorker({ concurrency: 4 })
    const call = async (path: string, json?: unknown) => (await (await fetch(`${server.url}${path}`, { method: json ? 'POST' : 'GET', headers: { 'x-retrace-key': server.key, 'content-type': 'application/json' }, ...(json ? { body: JSON.stringify(json) } : {}) })).json()) as any
    const { spans } = await call(`/api/v1/traces/${traceId}`)
    const firstLlm = (spans as Array<{ id: string; kind: string; forkPoint?: { step: number }; children: unknown[] }>)
      .flatMap(function flat(span: any): any[] {
        return [span, ...span.children.flatMap(flat)]
      })
      .find((span) => span.kind === 'llm' && span.forkPoint?.step === 1)!
    for (let round = 0; round < rounds + 1; round++) {
      const warm = round === 0
      const cities = Array.from({ length: VARIANTS }, (_, i) => `City${round}n${i}`)
      options.log(`  fork-overhead: round ${round}${warm ? ' (warm-up)' : ''}`)
      const directStarted = performance.now()
      await pool(cities, CONCURRENCY, (city) => agent(`What is the weather in D${city}?`))
      const direct = performance.now() - directStarted
      const sweepStarted = performance.now()
      const sweep = await call('/api/v1/forks/sweep', { trace_id: traceId, fork_point_span_id: firstLlm.id, concurrency: CONCURRENCY, variants: cities.map((city) => ({ label: city, modified_input: `What is the weather in ${city}?` })) })
      let done = sweep
      while (done.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 50))
        done = await call(`/api/v1/forks/sweep/${sweep.id}`)
      }
      const wall = performance.now() - sweepStarted
      if (done.progress.completed !== VARIANTS) throw new Error(`fork-overhead: ${JSON.stringify(done.progress)}`)
      if (warm) continue
      sweepWall.push((wall * 1000) / VARIANTS)
      directWall.push((direct * 1000) / VARIANTS)
      let runSum = 0
      let overheadSum = 0
      for (const variant of done.variants) {
        const fork = await call(`/api/v1/forks/${variant.fork_id}`)
        const forkTrace = await call(`/api/v1/traces/${fork.fork_trace_id}`)
        const runMs = forkTrace.trace.totals.durationMs as number
        const overheadMs = Date.parse(fork.finished_at) - Date.parse(fork.started_at) - runMs
        agentUs.push(runMs * 1000)
        overheadUs.push(overheadMs * 1000)
        runSum += runMs
        overheadSum += overheadMs
      }
      roundRatios.push(overheadSum / runSum)
    }
    await worker.stop({ timeoutMs: 10_000 })
  } finally {
    await shutdown(5_000)
    runtime().removeHooks()
    configure({})
    if (journal === undefined) delete process.env.RETRACE_JOURNAL_DIR
    else process.env.RETRACE_JOURNAL_DIR = journal
    await server.stop()
    await provider.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  // The repository's convention: the median over rounds (one round hit by a noisy neighbour does not decide).
  const ratio = median(roundRatios)
  const meanRatio = overheadUs.reduce((a, b) => a + b, 0) / agentUs.reduce((a, b) => a + b, 0)
  return {
    id: 'fork-overhead',
    title: `Fork & Replay: server + worker overhead per sweep variant (µs), ${VARIANTS} variants at concurrency ${CONCURRENCY}, fake provider at ${LATENCY_MS} ms per call`,
    unit: 'µs/call',
    notes: [
      'A 4-step tool-using agent forked at step 1 (every step live); the server (SQLite) in its own process, this process the worker (startWorker). Overhead: from the server taking a variant for the worker to the server recording its end, minus the run’s own duration; timestamps of the server, in ms.',
      `Wall rows: the sweep from POST to the last variant recorded, and the same ${VARIANTS} inputs run directly ${CONCURRENCY} at a time, per variant. ${rounds} round(s) after a warm-up; the target is on the median over rounds of (mean overhead / mean run time).`,
    ],
    rows: [stats('agent run (fork trace duration)', agentUs), stats('server + worker overhead per variant', overheadUs), stats('sweep wall per variant', sweepWall), stats('direct runs, wall per run (anchor)', directWall)],
    ratios: [
      { label: 'overhead/agent run (median of rounds)', value: ratio, stat: 'mean' },
      { label: 'overhead/agent run (every variant pooled)', value: meanRatio, stat: 'mean' },
      { label: 'sweep wall/direct wall', value: median(sweepWall) / median(directWall), stat: 'p50' },
    ],
    targets: [target('server + worker overhead per variant / agent run time', ratio * 100, '<', 5, ' %')],
  }
}
