// A resumable two-call agent as a user's module (source text), and a script that runs it once
// and prints its trace id: for tests that run `retrace worker` on a fixture project.

/**
 * The module `agent.ts`: `answer(question)` asks the fake provider (FAKE_OPENAI_URL) twice,
 * the second time about the first answer.
 *
 * @example
 * const source = twoCallAgent('cli-agent')
 * source.includes("record({ name: 'cli-agent', resumable: true }") // → true
 * source.includes('process.env.FAKE_OPENAI_URL') // → true
 */
export function twoCallAgent(name: string): string {
  return `import OpenAI from 'openai'
import { record } from '@retrace/core'

export const answer = record({ name: '${name}', resumable: true }, async (question) => {
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: process.env.FAKE_OPENAI_URL, maxRetries: 0 })
  const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] })
  const second = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Again: ' + first.choices[0].message.content }] })
  return second.choices[0].message.content
})
`
}

/** `record-once.ts`: runs `answer('Hello Paris')` with the SDK connected, prints the trace id last. */
export const RECORD_ONCE = `import { flush } from '@retrace/core'
import { answer } from './agent.ts'
await answer('Hello Paris')
await flush(10_000)
console.log(answer.lastTrace.id)
`
