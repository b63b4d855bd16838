import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { browserAvailable, launchChromium, seriousViolations, unreachableByKeyboard, watchErrors } from './browser.ts'

// The checks every view must pass are only worth something if they catch what they look for.
describe.skipIf(!browserAvailable())('the browser checks themselves', () => {
  let browser: Browser
  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
  })

  test('axe reports an unlabelled field and unreadable text as serious or critical', async () => {
    const page = await browser.newPage()
    await page.setContent('<html lang="en"><title>t</title><main><h1>x</h1><input type="text"><p style="color:#ccc;background:#fff">faint</p></main></html>')
    const ids = (await seriousViolations(page)).map((violation) => violation.id).sort()
    expect(ids).toEqual(['color-contrast', 'label'])
    await page.close()
  })

  test('the keyboard check finds a control that Tab never reaches', async () => {
    const page = await browser.newPage()
    await page.setContent(`<html lang="en"><title>t</title><main><input id="trap"><button id="after">after</button></main>
      <script>document.getElementById('trap').addEventListener('keydown', (e) => { if (e.key === 'Tab') e.preventDefault() })</script></html>`)
    const missing = await unreachableByKeyboard(page)
    expect(missing).toEqual(['<button id="after" data-kb-id="1">after</button>'])
    await page.close()
  })

  test('console errors and uncaught exceptions are collected', async () => {
    const page = await browser.newPage()
    const errors = watchErrors(page)
    await page.setContent('<script>console.error("boom"); setTimeout(() => { throw new Error("uncaught") })</script>')
    await page.waitForTimeout(50)
    expect(errors).toEqual(['console: boom', 'page error: uncaught'])
    await page.close()
  })
})
