import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's Chromium (`apt-get install -y chromium`); never a downloaded browser. */
export const CHROMIUM_PATH = process.env.RETRACE_CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
/** Screenshots of every view, kept after the run (gitignored); the README's come from here. */
export const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts')

let told = false

/**
 * Whether the browser suites can run: Chromium is installed. Locally its absence prints one
 * line with the install command and the suites skip; under CI (`CI` set) it is a failure.
 *
 * @example
 * describe.skipIf(!browserAvailable())('the dashboard', () => { … })
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true
  if (process.env.CI) return true // the launch then fails, naming the install command
  if (!told) console.log(`Browser tests skipped: Chromium is not at ${CHROMIUM_PATH}; install it with: apt-get install -y chromium`)
  told = true
  return false
}

/**
 * Launches headless Chromium with a fresh profile (playwright makes a new temporary
 * user-data directory per launch) and no network of its own.
 *
 * @example
 * const browser = await launchChromium()
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: run apt-get install -y chromium (CI installs it in .ci/run).`)
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
}

/**
 * Everything the page reports as an error: console errors (failed loads, CSP violations) and
 * uncaught exceptions.
 *
 * @example
 * const errors = watchErrors(page)
 * expect(errors).toEqual([])
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  return errors
}

/**
 * Saves a full-page screenshot under `dashboard/test-artifacts/<name>.png`.
 *
 * @example
 * await screenshot(page, 'traces')
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const file = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** An accessibility rule broken on the page, as axe-core reports it. */
export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: string[]
}

/**
 * Runs axe-core (WCAG 2 A/AA and best practices) on the page and returns the serious and
 * critical violations. axe is evaluated through the DevTools protocol, which the page's
 * Content-Security-Policy does not apply to, so the page is tested as served.
 *
 * @example
 * expect(await seriousViolations(page)).toEqual([])
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.slice(0, 5).map((node) => JSON.stringify(node.target)) }))
  })
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
}

/**
 * Presses Tab through the page and returns the interactive elements it never reached: every
 * visible, enabled link, button, field and focusable element must be reachable by keyboard.
 *
 * @example
 * expect(await unreachableByKeyboard(page)).toEqual([])
 */
export async function unreachableByKeyboard(page: Page): Promise<string[]> {
  const total = await page.evaluate(() => {
    document.querySelectorAll('[data-kb-id]').forEach((element) => element.removeAttribute('data-kb-id'))
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]'
    let count = 0
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      const style = getComputedStyle(element)
      const box = element.getBoundingClientRect()
      const hidden = style.visibility === 'hidden' || style.display === 'none' || (box.width === 0 && box.height === 0 && !element.classList.contains('skip-link'))
      const disabled = (element as HTMLButtonElement).disabled === true || element.getAttribute('tabindex') === '-1' || element.closest('[inert]') !== null || (element.tagName === 'SUMMARY' ? false : element.closest('details:not([open])') !== null && element.closest('summary') === null)
      if (hidden || disabled) continue
      element.setAttribute('data-kb-id', String(count++))
    }
    // Start from the first control in document order (the page has no positive tabindex, so
    // that is also the first in tab order), wherever focus was before.
    document.querySelector<HTMLElement>('[data-kb-id="0"]')?.focus()
    return count
  })
  const reached = new Set<string>(total ? ['0'] : [])
  for (let press = 0; press < total + 15; press++) {
    await page.keyboard.press('Tab')
    const id = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.getAttribute('data-kb-id') ?? null)
    if (id !== null) reached.add(id)
    if (reached.size === total) break
  }
  return page.evaluate((seen) => {
    const missing: string[] = []
    for (const element of document.querySelectorAll<HTMLElement>('[data-kb-id]')) {
      if (!seen.includes(element.getAttribute('data-kb-id')!)) missing.push(element.outerHTML.slice(0, 160))
    }
    return missing
  }, [...reached])
}
