import { expect, test } from 'vitest'
import type { StoredStep } from '@retrace/cassettes'
import { compareRuns } from './compare-runs.ts'
import { formatDivergence } from './format-divergence.ts'

const text = (content: string): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [{ type: 'text', content }], finishReason: 'stop' })

test('formatDivergence reports the verdict, the step, the layer and the reasons', () => {
  const golden = { steps: [text('It is 18 degrees.')] }
  expect(formatDivergence(compareRuns(golden, golden))).toBe('Identical to the golden run.')
  expect(formatDivergence(compareRuns(golden, { steps: [text(' It is 18  degrees.\n')] }))).toBe('Identical to the golden run.')
  expect(formatDivergence(compareRuns(golden, { steps: [text('The temperature is 18 degrees.')] }))).toMatch(/^Equivalent to the golden run \(score 0\.\d+\)\.$/)
  expect(formatDivergence(compareRuns(golden, { steps: [text('It is 19 degrees.')] }))).toBe(
    'Diverged from the golden run at step 1 (text layer, score 0.5):\n  - Step 1 text: number: 18 degrees → 19 degrees (similarity 0.75).',
  )
})
