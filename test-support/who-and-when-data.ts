import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/**
 * The shared Who&When hand-crafted runs: `../shared/data/who-and-when/hand-crafted` from the
 * repository root or a folder above it (worktrees sit deeper), or `WHO_AND_WHEN_DIR`;
 * undefined on a machine without them.
 *
 * @example
 * import { existsSync } from 'node:fs'
 * const dir = whoAndWhenDataDir()
 * dir === undefined || existsSync(dir) // → true
 */
export function whoAndWhenDataDir(): string | undefined {
  if (process.env.WHO_AND_WHEN_DIR) return existsSync(process.env.WHO_AND_WHEN_DIR) ? process.env.WHO_AND_WHEN_DIR : undefined
  for (let dir = resolve(import.meta.dirname, '..', '..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'data', 'who-and-when', 'hand-crafted')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

const SCREEN = 'Here is a screenshot of [Tickets](https://tickets.example.com/). The viewport shows 40% of the webpage, and is positioned at the top of the page.'

/**
 * A hand-written Magentic-One run in the Who&When format: WebSurfer clicks 'Buy' three times on
 * a page that never changes, while the Orchestrator words its request differently each time
 * (so the detectors call it a loop, not a ping-pong), and the run ends with a wrong answer.
 *
 * @example
 * STUCK_TICKET_RUN.history.filter((message) => message.role === 'WebSurfer').length // → 3
 */
export const STUCK_TICKET_RUN = {
  question: 'How much is a weekend ticket to the Riverside Jazz Festival?',
  ground_truth: '$85',
  mistake_agent: 'WebSurfer',
  mistake_step: '4',
  history: [
    { role: 'human', content: 'How much is a weekend ticket to the Riverside Jazz Festival?' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Open the festival ticket page and find the weekend ticket price.' },
    ...['Please try clicking Buy again to reach the price list.', 'The weekend pass may sit behind that button; press it once more.', 'One last attempt: use the purchase control and report what opens.'].flatMap((instruction) => [
      { role: 'WebSurfer', content: `I clicked 'Buy'.\n\n${SCREEN}` },
      { role: 'Orchestrator (-> WebSurfer)', content: instruction },
    ]),
    { role: 'Orchestrator (termination condition)', content: 'FINAL ANSWER: $70' },
  ],
}
