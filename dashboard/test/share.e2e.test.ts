import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { browserAvailable, launchChromium, screenshot, seriousViolations, unreachableByKeyboard, watchErrors } from './browser.ts'
import { startSeededServer, type SeededServer } from './seed.ts'
import { playerStep, signedIn, transcriptLines } from './session.ts'

/** Every documented API route, with made-up ids: what a page without a key may try. */
async function everyApiRoute(url: string): Promise<Array<{ method: string; path: string }>> {
  const document = (await (await fetch(`${url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> }
  return Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x1') })))
}

// A public link to one trace: opens in a fresh browser (no cookie, no key), shows that trace
// and nothing else, tells search engines to stay away, and stops working when revoked.
describe.skipIf(!browserAvailable())('sharing a trace', () => {
  let seeded: SeededServer
  let browser: Browser
  let owner: { context: BrowserContext; page: Page }
  let shareUrl: string

  beforeAll(async () => {
    ;[seeded, browser] = await Promise.all([startSeededServer(), launchChromium()])
    owner = await signedIn(browser, seeded.url, seeded.key)
  })
  afterAll(async () => {
    await browser?.close()
    await seeded?.close()
  })

  test('the owner creates a link from the trace page', async () => {
    const { page } = owner
    await page.goto(`${seeded.url}/traces/${seeded.traces.weather}`)
    await page.click('button:has-text("Share")')
    await page.selectOption('#share-expiry', { label: '7 days' })
    await page.click('text=Create link')
    shareUrl = await page.inputValue('[data-testid=share-url]')
    expect(shareUrl).toMatch(new RegExp(`^${seeded.url}/s/rts_[A-Za-z0-9_-]{43}$`))
    expect(await page.textContent('.share-panel table')).toContain('active')
    await screenshot(page, 'share-create')
  })

  test('a fresh browser opens it without a key: the trace, replayable, noindex, accessible', async () => {
    const visitor = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    const page = await visitor.newPage()
    const errors = watchErrors(page)
    const response = await page.goto(shareUrl)
    expect(response!.headers()['x-robots-tag']).toBe('noindex, nofollow')
    expect(response!.headers()['referrer-policy']).toBe('no-referrer')
    await page.waitForSelector('.timeline-row.current')
    expect(await page.getAttribute('meta[name=robots]', 'content')).toBe('noindex, nofollow')
    expect(await page.textContent('h1')).toBe('weather-agent')
    expect(await page.textContent('.shared-bar')).toContain('A shared, read-only trace · link expires')
    expect(await visitor.cookies()).toEqual([])
    // Read-only: nothing to share, fork or sign out from.
    for (const control of ['button:has-text("Share")', 'text=Fork from here', 'text=Sign out']) expect(await page.$(control), control).toBeNull()
    await page.keyboard.press('ArrowRight')
    expect((await playerStep(page)).step).toBe(2)
    expect((await transcriptLines(page)).at(-1)).toContain('tool result')
    await page.click('text=Agents')
    await page.waitForSelector('text=This run has no agent tags')
    await page.click('text=Timeline')
    await page.waitForSelector('.timeline-row.current')
    await screenshot(page, 'shared')
    expect(await seriousViolations(page)).toEqual([])
    expect(await unreachableByKeyboard(page)).toEqual([])
    expect(errors).toEqual([])
    await visitor.close()
  })

  test('from the shared page, every other API route answers 401, and the share API serves this trace only', async () => {
    const visitor = await browser.newContext()
    const page = await visitor.newPage()
    await page.goto(shareUrl)
    await page.waitForSelector('.timeline-row')
    const routes = (await everyApiRoute(seeded.url)).filter((route) => route.path !== '/api/v1/openapi.json')
    expect(routes.length).toBeGreaterThan(15)
    const answers = await page.evaluate(async (list) => {
      const out: Array<{ route: string; status: number }> = []
      for (const { method, path } of list) {
        const response = await fetch(path, { method, credentials: 'same-origin', headers: method === 'GET' ? {} : { 'content-type': 'application/json', 'x-retrace-csrf': '1' }, ...(method === 'GET' ? {} : { body: '{}' }) })
        out.push({ route: `${method} ${path}`, status: response.status })
        await response.body?.cancel()
      }
      return out
    }, routes)
    for (const answer of answers) expect(answer.status, answer.route).toBe(401)
    const token = new URL(shareUrl).pathname.split('/').at(-1)!
    const shared = await page.evaluate(async (path) => (await fetch(path)).json(), `/api/v1/shared/${token}`)
    const text = JSON.stringify(shared)
    expect(shared.trace.id).toBe(seeded.traces.weather)
    for (const other of [seeded.traces.crew, seeded.traces.cassette, seeded.traces.failed]) expect(text).not.toContain(other)
    expect(text).not.toContain('"projectId"')
    await visitor.close()
  })

  test('revoked in the settings, the link stops working at once', async () => {
    const { page } = owner
    await page.goto(`${seeded.url}/settings`)
    await page.waitForSelector('tr[data-share-id]')
    await page.click('tr[data-share-id] button:has-text("Revoke")')
    await page.waitForSelector('tr[data-share-id] >> text=revoked')
    await screenshot(page, 'settings-shares')
    const visitor = await browser.newContext()
    const gone = await visitor.newPage()
    await gone.goto(shareUrl)
    await gone.waitForSelector('text=This link does not open')
    expect(await gone.textContent('[role=alert]')).toBe('This share link does not exist, was revoked or has expired.')
    const token = new URL(shareUrl).pathname.split('/').at(-1)!
    expect((await fetch(`${seeded.url}/api/v1/shared/${token}`)).status).toBe(404)
    await visitor.close()
  })
})
