import type { JsonObject } from '@retrace/cassettes'

/** What a Magentic-One WebSurfer message says it did, and the page it then saw. */
export interface WebSurferAction {
  /** `click`, `type`, `scroll`, `input`, `back`, … */
  name: string
  args: JsonObject
  /** The page after the action: title, URL and viewport position; undefined when not reported. */
  state: JsonObject | undefined
}

const ACTIONS: ReadonlyArray<{ pattern: RegExp; action: (match: RegExpExecArray) => Pick<WebSurferAction, 'name' | 'args'> }> = [
  { pattern: /^I typed '([\s\S]*)' into (?:the browser (search|address) bar|'([\s\S]*)')\.$/, action: (m) => ({ name: 'type', args: { text: m[1]!, into: m[2] ? `${m[2]} bar` : m[3]! } }) },
  { pattern: /^I clicked the browser back button\.$/, action: () => ({ name: 'back', args: {} }) },
  { pattern: /^I clicked '([\s\S]*)'\.$/, action: (m) => ({ name: 'click', args: { target: m[1]! } }) },
  { pattern: /^I clicked (the [\s\S]*)\.$/, action: (m) => ({ name: 'click', args: { target: m[1]! } }) },
  { pattern: /^I scrolled (up|down) one page in the browser\.$/, action: (m) => ({ name: 'scroll', args: { direction: m[1]! } }) },
  { pattern: /^I input '([\s\S]*)'\.$/, action: (m) => ({ name: 'input', args: { text: m[1]! } }) },
]
const SCREENSHOT = /Here is a screenshot of \[([^\]\n]*)\]\(([^)\s]*)\)\. The viewport shows (\d+)% of the webpage, and is positioned ([^.\n]*)\./

/**
 * Reads the action a Magentic-One `MultimodalWebSurfer` message opens with ("I clicked
 * 'Next'.", "I typed 'x' into the browser search bar.", "I scrolled down one page in the
 * browser.") and the page state it reports ("Here is a screenshot of [title](url). The
 * viewport shows 9% of the webpage, and is positioned 18% down from the top of the page.").
 * Undefined when the message does not open with a known action.
 *
 * @example
 * webSurferAction("I scrolled down one page in the browser.\n\nHere is a screenshot of [A](https://a.example/). The viewport shows 9% of the webpage, and is positioned 18% down from the top of the page.")
 * // { name: 'scroll', args: { direction: 'down' }, state: { title: 'A', url: 'https://a.example/', viewport: '9% shown, 18% down from the top of the page' } }
 */
export function webSurferAction(content: string): WebSurferAction | undefined {
  const first = content.split('\n', 1)[0]!.trim()
  for (const { pattern, action } of ACTIONS) {
    const match = pattern.exec(first)
    if (!match) continue
    const screenshot = SCREENSHOT.exec(content)
    const state = screenshot ? { title: screenshot[1]!, url: screenshot[2]!, viewport: `${screenshot[3]}% shown, ${screenshot[4]}` } : undefined
    return { ...action(match), state }
  }
  return undefined
}
