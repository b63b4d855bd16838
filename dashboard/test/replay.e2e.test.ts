import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { browserAvailable, launchChromium, screenshot, watchErrors } from './browser.ts'
import { startSeededServer, type SeededServer } from './seed.ts'
import { playerStep, signedIn, transcriptLines } from './session.ts'

// Replaying a recorded run like a video: stepping with the keys and the scrubber, and play,
// go through the run's steps in order, the transcript building up as it happened.
describe.skipIf(!browserAvailable())('replaying a recorded run', () => {
  let seeded: SeededServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let errors: string[]
  /** Spans of the multi-agent run: one replay step each. */
  let crewSteps: number

  beforeAll(async () => {
    ;[seeded, browser] = await Promise.all([startSeededServer(), launchChromium()])
    crewSteps = (await seeded.call(`/api/v1/traces/${seeded.traces.crew}`)).body.trace.totals.spans
    ;({ context, page } = await signedIn(browser, seeded.url, seeded.key))
    errors = watchErrors(page)
  })
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await seeded?.close()
  })

  /** The current step as the page shows it: the player, the highlighted row, the address. */
  const current = async () => ({
    ...(await playerStep(page)),
    row: await page.getAttribute('.timeline-row.current', 'data-step'),
    address: new URL(page.url()).searchParams.get('step'),
  })

  test('→ and ← step through the run in order; the transcript grows with what each step said', async () => {
    await page.goto(`${seeded.url}/traces/${seeded.traces.weather}?step=1`)
    await page.waitForSelector('.timeline-row.current')
    expect(await current()).toEqual({ step: 1, of: 3, row: '1', address: '1' })
    const afterStep1 = await transcriptLines(page)
    expect(afterStep1).toEqual(['1 system: You answer weather questions. Use get_weather.', '1 user: What is the weather in Paris?', '1 tool call · get_weather: { "city": "Paris" }'])
    await page.keyboard.press('ArrowRight')
    expect(await current()).toEqual({ step: 2, of: 3, row: '2', address: '2' })
    const afterStep2 = await transcriptLines(page)
    expect(afterStep2.slice(0, 3)).toEqual(afterStep1)
    expect(afterStep2[3]).toBe('2 tool result · get_weather: {"city":"Paris","temperatureC":18,"sky":"sunny"}')
    await page.keyboard.press('ArrowRight')
    expect(await current()).toEqual({ step: 3, of: 3, row: '3', address: '3' })
    const afterStep3 = await transcriptLines(page)
    expect(afterStep3.slice(0, 4)).toEqual(afterStep2)
    expect(afterStep3[4]).toBe('3 assistant: Based on get_weather: {"city":"Paris","temperatureC":18,"sky":"sunny"}')
    await page.keyboard.press('ArrowRight') // the last step stays the last
    expect((await current()).step).toBe(3)
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    expect(await current()).toEqual({ step: 1, of: 3, row: '1', address: '1' })
    expect(await transcriptLines(page)).toEqual(afterStep1)
    expect(errors).toEqual([])
  })

  test('the scrubber reaches any step by keyboard; a step link in the transcript jumps there', async () => {
    await page.goto(`${seeded.url}/traces/${seeded.traces.crew}`)
    await page.waitForSelector('.timeline-row.current')
    expect((await playerStep(page)).of).toBe(crewSteps)
    await page.focus('#scrubber')
    await page.keyboard.press('End')
    expect(await current()).toMatchObject({ step: crewSteps, row: String(crewSteps) })
    expect(await page.getAttribute('#scrubber', 'aria-valuetext')).toBe(`Step ${crewSteps} of ${crewSteps}: openai.chat.completions`)
    await page.keyboard.press('Home')
    expect((await current()).step).toBe(1)
    for (let step = 2; step <= 5; step++) {
      await page.keyboard.press('ArrowRight') // the slider's own keys
      expect((await current()).step).toBe(step)
    }
    await page.keyboard.press('End')
    await page.click('.transcript .step-link >> nth=0')
    expect((await current()).step).toBe(1)
  })

  test('play advances one step at a time, in order, to the end, then stops; space pauses and resumes', async () => {
    await page.goto(`${seeded.url}/traces/${seeded.traces.crew}?step=1`)
    await page.waitForSelector('.timeline-row.current')
    await page.selectOption('.speed select', '8')
    // Watch every step the page shows while it plays.
    await page.evaluate(() => {
      const seen: number[] = []
      ;(window as unknown as { seenSteps: number[] }).seenSteps = seen
      const status = document.querySelector('[data-testid=player-status]')!
      new MutationObserver(() => {
        const step = Number(/Step (\d+)/.exec(status.textContent ?? '')?.[1])
        if (step !== seen.at(-1)) seen.push(step)
      }).observe(status, { subtree: true, childList: true, characterData: true })
    })
    await page.click('button[aria-label=Play]')
    await page.waitForFunction((last) => new RegExp(`Step ${last} of ${last}`).test(document.querySelector('[data-testid=player-status]')?.textContent ?? ''), crewSteps, { timeout: 15_000 })
    await page.waitForSelector('button[aria-label=Play]')
    const seen = await page.evaluate(() => (window as unknown as { seenSteps: number[] }).seenSteps)
    // From step 1 (shown again on any re-render before the first tick), every step once, in order.
    expect(seen[0] === 1 ? seen : [1, ...seen]).toEqual(Array.from({ length: crewSteps }, (_, index) => index + 1))
    const lines = await transcriptLines(page)
    // The conversation in the order it happened: the planner, then the researcher's tool loop, the writer, the reviewer.
    const agents = lines.map((line) => / Agent (\w+) /.exec(line)?.[1]).filter(Boolean)
    expect(agents).toEqual(['planner', 'researcher', 'writer', 'reviewer'])
    expect(lines.findIndex((line) => line.includes(' tool call'))).toBeLessThan(lines.findIndex((line) => line.includes(' tool result')))
    expect(lines.map((line) => Number(line.split(' ')[0]))).toEqual([...lines.map((line) => Number(line.split(' ')[0]))].sort((a, b) => a - b))
    await screenshot(page, 'trace-played')

    await page.keyboard.press('Home') // not bound: focus is on the page, nothing changes
    await page.click('button[aria-label="First step"]')
    await page.locator('h1').click() // focus off the buttons: space belongs to the player
    await page.keyboard.press('Space')
    await page.waitForFunction(() => /Step [2-9] of/.test(document.querySelector('[data-testid=player-status]')?.textContent ?? ''))
    await page.keyboard.press('Space')
    const paused = (await playerStep(page)).step
    await page.waitForTimeout(400)
    expect((await playerStep(page)).step).toBe(paused)
    expect(await page.$('button[aria-label=Play]')).not.toBeNull()
    expect(errors).toEqual([])
  })

  test('the gantt timeline marks the current step, what ran before it and what is still to come', async () => {
    await page.goto(`${seeded.url}/traces/${seeded.traces.crew}?step=4`)
    await page.waitForSelector('.timeline-row.current')
    const states = await page.$$eval('.timeline-row', (rows) => rows.map((row): [number, string] => [Number(row.getAttribute('data-step')), row.classList.contains('past') ? 'past' : row.classList.contains('current') ? 'current' : 'future']))
    for (const [step, state] of states) expect(state).toBe(step! < 4 ? 'past' : step === 4 ? 'current' : 'future')
    // The span panel follows the step.
    const spanId = await page.getAttribute('.timeline-row.current', 'data-span-id')
    expect(await page.getAttribute('.span-panel', 'data-span-id')).toBe(spanId)
  })
})
