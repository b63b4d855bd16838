// Runs in its own module graph (Vitest isolates test files): nothing here has loaded WordNet yet.
import { expect, test } from 'vitest'
import type { StoredStep } from '@retrace/cassettes'
import { compareRuns } from '../compare-runs.ts'
import { compareTexts } from '../compare-text.ts'
import { wordNetLoaded } from './wordnet.ts'

const text = (content: string): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [{ type: 'text', content }], finishReason: 'stop' })

test('a comparison that diverges nowhere reads no lexicon; the first differing text does', () => {
  const golden = { steps: [text('The weather in Paris is sunny, 21°C.'), text('Booked AF1234 on Tuesday.')], result: 'done' }
  expect(compareRuns(golden, structuredClone(golden)).verdict).toBe('identical')
  expect(compareRuns(golden, { ...golden, steps: [text(' The weather in Paris is  sunny, 21°C.\n'), golden.steps[1]!] }).verdict).toBe('identical')
  expect(compareTexts('It is 18 degrees.', 'It is 18 degrees.').similarity).toBe(1)
  expect(wordNetLoaded()).toBe(false)

  expect(compareTexts('The weather in Paris is sunny.', 'The weather in Lyon is sunny.').reasons).toHaveLength(1)
  expect(wordNetLoaded()).toBe(true)
})
