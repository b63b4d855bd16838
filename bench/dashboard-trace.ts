// The dashboard with a big run: a trace of 5,000 spans opened in headless Chromium (Debian's,
// driven by playwright-core), the server in its own process on the embedded store.
// - interactive: navigation start → the page's `retrace:trace-interactive` mark (the trace
//   fetched, laid out and painted: tree, gantt, transcript, span panel, player ready);
// - anchor, in the same page: fetching and parsing the same trace's JSON, nothing drawn;
// - a 50-span trace, the same way (how the cost grows with size);
// - one step (→) with 5,000 spans: key press to the next painted frame.
import { fork } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import type { WireEvent } from '@retrace/protocol'
import { median, percentile, target, type MeasurementReport } from './harness.ts'

const CHROMIUM = process.env.RETRACE_CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/**
 * A multi-agent run of `count` spans: a root agent, turns of an agent each with LLM calls
 * (messages, a tool call or text, usage, cost) and tool spans, as the SDK sends them.
 */
export function bigTrace(traceId: string, count: number): WireEvent[] {
  const base = Date.parse('2026-03-01T10:00:00.000Z')
  const at = (ms: number) => new Date(base + ms).toISOString()
  const events: WireEvent[] = [{ type: 'trace.start', id: `${traceId}:start`, trace: { id: traceId, name: `bench-${count}-spans`, startedAt: at(0), input: ['Plan the quarter'] } }]
  const root = `${traceId}-root`
  events.push({ type: 'span', id: root, span: { id: root, traceId, kind: 'agent', name: 'orchestrator', startedAt: at(0), endedAt: at(count * 10), durationMs: count * 10, status: 'ok', agent: { id: 'orchestrator', role: 'plan' } } })
  let turn = ''
  for (let n = 1; n < count; n++) {
    const id = `${traceId}-s${n}`
    const start = n * 10
    if (n % 50 === 1) {
      turn = id
      events.push({ type: 'span', id, span: { id, traceId, parentId: root, kind: 'agent', name: `worker turn ${Math.ceil(n / 50)}`, startedAt: at(start), endedAt: at(start + 490), durationMs: 490, status: 'ok', agent: { id: `worker-${(Math.ceil(n / 50) % 4) + 1}`, role: 'work', parentId: 'orchestrator' } } })
      continue
    }
    if (n % 2 === 0) {
      const callId = `call_${n}`
      events.push({
        type: 'span',
        id,
        span: {
          id, traceId, parentId: turn, kind: 'llm', name: 'openai.chat.completions', startedAt: at(start), endedAt: at(start + 8), durationMs: 8, status: 'ok',
          step: {
            provider: 'openai', api: 'openai.chat.completions', operation: 'chat', model: 'gpt-4o-mini', streamed: false, complete: true,
            input: [{ role: 'user', parts: [{ type: 'text', content: `Task ${n}: look up the figures for region ${n % 7} and summarise them in two sentences.` }] }],
            tools: [{ name: 'lookup', description: 'Look up figures', parameters: { type: 'object', properties: { region: { type: 'number' } } } }],
            output: n % 4 === 0 ? [{ type: 'tool_call', id: callId, name: 'lookup', arguments: { region: n % 7 } }] : [{ type: 'text', content: `Region ${n % 7} grew ${n % 13}% this quarter; costs were flat.` }],
            usage: { inputTokens: 40 + (n % 30), outputTokens: 12 + (n % 9) }, costUsd: 0.00002 + (n % 5) * 0.000001, latencyMs: 8,
          },
        },
      })
    } else {
      events.push({ type: 'span', id, span: { id, traceId, parentId: turn, kind: 'tool', name: 'lookup', startedAt: at(start), endedAt: at(start + 2), durationMs: 2, status: 'ok', toolCallId: `call_${n - 1}`, input: { region: (n - 1) % 7 }, output: { region: (n - 1) % 7, growth: n % 13 } } })
    }
  }
  events.push({ type: 'trace.end', id: `${traceId}:end`, trace: { id: traceId, endedAt: at(count * 10), status: 'completed', output: 'done', totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: count * 10 } } })
  return events
}

async function startServerChild(databaseUrl: string) {
  const child = fork(join(import.meta.dirname, 'server-child.ts'), ['retrace', databaseUrl], { execArgv: ['--conditions=@retrace/source'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const ready = await new Promise<{ url: string; key: string }>((resolve, reject) => {
    child.once('message', (message: { url: string; key: string }) => resolve(message))
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  return { ...ready, stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.send({ type: 'stop' }))) }
}

async function ingest(url: string, key: string, events: WireEvent[]): Promise<void> {
  for (let index = 0; index < events.length; index += 1000) {
    const response = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'x-retrace-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'batch', batchId: `b${index}`, events: events.slice(index, index + 1000) }) })
    if (!response.ok) throw new Error(`ingest: ${response.status} ${await response.text()}`)
  }
}

/** Opens the trace page `rounds` times in fresh pages; milliseconds per figure. */
async function measure(browser: Browser, url: string, key: string, traceId: string, rounds: number, steps: number) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
  await context.addCookies([{ name: 'retrace_key', value: key, domain: new URL(url).hostname, path: '/api/', httpOnly: true, sameSite: 'Strict' }])
  const interactive: number[] = []
  const fetchParse: number[] = []
  const step: number[] = []
  for (let round = 0; round < rounds; round++) {
    const page = await context.newPage()
    await page.goto(`${url}/traces/${traceId}`)
    await page.waitForFunction(() => performance.getEntriesByName('retrace:trace-interactive').length > 0, undefined, { timeout: 60_000 })
    interactive.push(await page.evaluate(() => performance.getEntriesByName('retrace:trace-interactive')[0]!.startTime))
    fetchParse.push(
      await page.evaluate(async (path) => {
        const started = performance.now()
        await (await fetch(path)).json()
        return performance.now() - started
      }, `/api/v1/traces/${traceId}`),
    )
    await page.locator('h1').click()
    for (let press = 0; press < steps; press++) {
      // In the page (a string: this file is type-checked without the DOM library).
      step.push(
        await page.evaluate<number>(`(async () => {
          const started = performance.now()
          document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))
          await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))
          return performance.now() - started
        })()`),
      )
    }
    await page.close()
  }
  await context.close()
  return { interactive, fetchParse, step }
}

/**
 * The dashboard rows of `npm run bench`: a 5,000-span trace interactive (target < 1 s), beside
 * fetching and parsing its JSON in the same page and a 50-span trace.
 */
export async function dashboardTrace(options: { quick: boolean; log: (line: string) => void }): Promise<MeasurementReport> {
  const report: MeasurementReport = { id: 'dashboard', title: 'Dashboard: a trace of 5,000 spans in headless Chromium (ms)', unit: 'µs/call', notes: [], rows: [], ratios: [], targets: [] }
  if (!existsSync(CHROMIUM)) {
    options.log(`dashboard: Chromium is not at ${CHROMIUM} (apt-get install -y chromium); the rows are skipped`)
    return { ...report, lines: ['skipped: Chromium is not installed (apt-get install -y chromium)'] }
  }
  const folder = mkdtempSync(join(tmpdir(), 'retrace-bench-dashboard-'))
  const server = await startServerChild(`sqlite:${join(folder, 'retrace.db')}`)
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
  try {
    await ingest(server.url, server.key, bigTrace('big', 5000))
    await ingest(server.url, server.key, bigTrace('small', 50))
    const rounds = options.quick ? 2 : 7
    const big = await measure(browser, server.url, server.key, 'big', rounds, options.quick ? 5 : 20)
    const small = await measure(browser, server.url, server.key, 'small', rounds, 0)
    const row = (name: string, samples: number[]) => [name, median(samples).toFixed(0), percentile([...samples].sort((a, b) => a - b), 0.99).toFixed(0), String(samples.length)]
    const stepRow = (name: string, samples: number[]) => [name, median(samples).toFixed(1), percentile([...samples].sort((a, b) => a - b), 0.99).toFixed(1), String(samples.length)]
    const bigInteractive = median(big.interactive)
    report.table = {
      header: ['', 'median ms', 'max/p99 ms', 'samples'],
      rows: [
        row('5,000 spans: navigation → interactive', big.interactive),
        row('5,000 spans: fetch + JSON.parse only (anchor)', big.fetchParse),
        row('50 spans: navigation → interactive', small.interactive),
        stepRow('5,000 spans: one step (→ to next frame)', big.step),
      ],
    }
    report.lines = [
      `ratios: interactive / fetch+parse ${(bigInteractive / median(big.fetchParse)).toFixed(1)}× · 5,000 / 50 spans ${(bigInteractive / median(small.interactive)).toFixed(1)}×`,
      `A fresh page per sample (cold start: HTML, 1 script, the trace API); the server in its own process on SQLite; Chromium ${browser.version()}.`,
    ]
    report.targets = [target('5,000-span trace interactive (median)', Math.round(bigInteractive), '<', 1000, ' ms'), target('one replay step with 5,000 spans (median)', Math.round(median(big.step) * 10) / 10, '<', 100, ' ms')]
    return report
  } finally {
    await browser.close()
    await server.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}
