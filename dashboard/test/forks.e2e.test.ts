import OpenAI from 'openai'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as core from '@retrace/core'
import { browserAvailable, launchChromium, screenshot, seriousViolations, unreachableByKeyboard, watchErrors } from './browser.ts'
import { startSeededServer, weatherLoop, type SeededServer } from './seed.ts'
import { signedIn } from './session.ts'

// Fork & Replay from the dashboard, end to end: a worker in this process (the SDK's
// startWorker, as `retrace worker` runs it) re-runs the recorded agent against the fake
// provider when the server's /api/v1/forks routes ask.

describe.skipIf(!browserAvailable())('forking from the dashboard', () => {
  let seeded: SeededServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let errors: string[]
  let worker: core.RetraceWorker | undefined

  beforeAll(async () => {
    ;[seeded, browser] = await Promise.all([startSeededServer(), launchChromium()])
    // The same agent the seed recorded, registered as resumable and offered to the server.
    core.configure({ baseUrl: seeded.url, apiKey: seeded.key })
    core.record({ name: 'weather-agent', resumable: true }, (question: string) => weatherLoop(new OpenAI({ apiKey: 'sk-test-not-a-key', baseURL: seeded.provider.openaiBaseURL, maxRetries: 0 }), question))
    worker = core.startWorker({ concurrency: 3 })
    ;({ context, page } = await signedIn(browser, seeded.url, seeded.key))
    errors = watchErrors(page)
  })
  afterAll(async () => {
    await worker?.stop({ timeoutMs: 5_000 })
    await core.shutdown(5_000)
    await browser?.close()
    await seeded?.close()
  })

  /** Every view check the other pages pass. */
  const passesChecks = async (name: string) => {
    await screenshot(page, name)
    expect(await seriousViolations(page)).toEqual([])
    expect(await unreachableByKeyboard(page)).toEqual([])
    expect(errors).toEqual([])
  }

  test('fork from a span: edit its input inline, estimate, replay; the fork streams in and the diff opens on the changed step', async () => {
    await page.goto(`${seeded.url}/traces/${seeded.traces.weather}?step=1`)
    await page.click('text=Fork from here')
    expect(await page.inputValue('#fork-input')).toBe('What is the weather in Paris?')
    await page.fill('#fork-input', 'What is the weather in Oslo?')
    await page.click('text=Estimate cost')
    await page.waitForSelector('[data-testid=estimate]')
    expect(await page.textContent('[data-testid=estimate] tbody')).toContain('live')
    await passesChecks('fork-panel')
    await page.click('text=Replay fork')
    await page.waitForURL(/\/forks\/[^/]+$/)
    await page.waitForSelector('[data-testid=diff]', { timeout: 30_000 })
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('diff-title')
    expect(await page.textContent('[data-testid=verdict]')).toBe('diverged')
    expect(await page.textContent('[data-testid=first-divergent-step]')).toBe('1')
    expect(await page.getAttribute('.diff-table tr[aria-current=step]', 'data-step')).toBe('1')
    expect(await page.textContent('.diff-table tr[aria-current=step]')).toContain('get_weather({"city":"Oslo"})')
    expect(await page.textContent('[data-testid=output-diff] ins')).toContain('Oslo')
    expect(await page.textContent('[data-testid=output-diff] del')).toContain('Paris')
    // The fork's own trace is there to replay, with its steps.
    expect(await page.$$eval('.fork-trace .timeline-row', (rows) => rows.length)).toBeGreaterThanOrEqual(3)
    await passesChecks('diff')
  })

  test('a span streamed by the SDK shows its recorded exchange and copies as a cassette', async () => {
    // A run recorded by this build's SDK, which sends each LLM call's redacted HTTP exchange.
    const run = core.record({ name: 'weather-agent', resumable: true }, (question: string) => weatherLoop(new OpenAI({ apiKey: 'sk-test-not-a-key', baseURL: seeded.provider.openaiBaseURL, maxRetries: 0 }), question))
    await run('What is the weather in Rome?')
    const traceId = core.lastTrace()!.id
    await core.flush(10_000)
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: seeded.url })
    await page.goto(`${seeded.url}/traces/${traceId}?step=1`)
    await page.waitForSelector('text=Copy as cassette', { timeout: 15_000 })
    await page.click('text=Copy as cassette')
    await page.waitForSelector('text=Cassette copied to the clipboard.')
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))
    expect(copied.interactions).toHaveLength(1)
    expect(copied.interactions[0].request.headers.authorization).not.toContain('sk-test-not-a-key')
  })

  test('a sweep of three variants: progress, then every result with its divergence', async () => {
    errors.length = 0
    await page.goto(`${seeded.url}/traces/${seeded.traces.weather}?step=1`)
    await page.click('text=Fork from here')
    await page.click('button:has-text("Sweep variants")')
    await page.fill('#variant-label-0', 'paris again')
    await page.fill('#variant-input-1', 'What is the weather in Oslo?')
    await page.fill('#variant-label-1', 'oslo')
    await page.click('text=Add a variant')
    await page.fill('#variant-input-2', 'What is the weather in Rome?')
    await page.click('button:has-text("Run 3 variants")')
    await page.waitForURL(/\/sweeps\/[^/]+$/)
    await page.waitForFunction(() => /3 of 3 variants done/.test(document.querySelector('[data-testid=progress]')?.textContent ?? ''), undefined, { timeout: 30_000 })
    // Every variant compared with the original (its divergence column filled in).
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=variants] tbody tr')].every((row) => row.querySelectorAll('td')[2]?.textContent !== '—'))
    const rows = await page.$$eval('[data-testid=variants] tbody tr', (trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelectorAll('td')[3]!.textContent]))
    expect(rows.map(([label]) => label)).toEqual(['paris again', 'oslo', 'variant 3'])
    expect(rows.find(([label]) => label === 'paris again')![1]).toBe('identical')
    expect(rows.find(([label]) => label === 'oslo')![1]).toBe('diverged')
    await passesChecks('sweep')
  })

  test('sensitivity: perturbations run as a sweep; the score, flip rate and per-step flip-rate chart', async () => {
    errors.length = 0
    await page.goto(`${seeded.url}/traces/${seeded.traces.weather}?step=1`)
    await page.click('text=Fork from here')
    await page.click('button:has-text("Sensitivity")')
    await page.fill('#sensitivity-k', '4')
    await page.click('text=Analyse sensitivity')
    await page.waitForURL(/\/sensitivity\/[^/]+$/)
    await page.waitForSelector('[data-testid=flip-rate-chart]', { timeout: 60_000 })
    expect(Number(await page.textContent('[data-testid=sensitivity-score]'))).toBeGreaterThanOrEqual(0)
    expect(await page.textContent('[data-testid=flip-rate]')).toMatch(/^\d+%$/)
    expect(await page.$$eval('[data-testid=flip-rate-chart] rect', (bars) => bars.length)).toBeGreaterThan(0)
    expect(await page.$$eval('[data-testid=variants] tbody tr', (rows) => rows.length)).toBe(4)
    await passesChecks('sensitivity')
  })
})
