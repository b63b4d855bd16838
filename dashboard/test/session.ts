import type { Browser, BrowserContext, Page } from 'playwright-core'

/**
 * A fresh browser context (its own cookies) signed in through the sign-in form, the way a
 * person signs in: the key typed, the cookie set by the server.
 *
 * @example
 * const { context, page } = await signedIn(browser, seeded.url, seeded.key)
 */
export async function signedIn(browser: Browser, url: string, key: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, reducedMotion: 'reduce' })
  const page = await context.newPage()
  await page.goto(`${url}/`)
  await page.fill('#api-key', key)
  await page.click('button[type=submit]')
  await page.waitForSelector('nav[aria-label="Main"]')
  return { context, page }
}

/** Every transcript line shown, in order, as `<step> <who>: <what>` (whitespace collapsed). */
export function transcriptLines(page: Page): Promise<string[]> {
  return page.$$eval('.transcript .entries > li', (items) =>
    items.map((item) => {
      const text = (selector: string) => (item.querySelector(selector)?.textContent ?? '').replace(/\s+/g, ' ').trim()
      const who = text('.entry-role')
      const what = text('.entry-text') || text('.entry-code') || text('.entry-event')
      return `${item.getAttribute('data-step')} ${who ? `${who}: ` : ''}${what}`
    }),
  )
}

/** The player's "Step i of n". */
export async function playerStep(page: Page): Promise<{ step: number; of: number }> {
  const text = (await page.textContent('[data-testid=player-status] strong')) ?? ''
  const match = /Step (\d+) of (\d+)/.exec(text)
  if (!match) throw new Error(`no step in "${text}"`)
  return { step: Number(match[1]), of: Number(match[2]) }
}
