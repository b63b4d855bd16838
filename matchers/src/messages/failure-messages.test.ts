import { describe, expect, test } from 'vitest'
import type { StoredStep } from '@retrace/cassettes'
import { compareRuns } from '@retrace/divergence'
import { divergedMessage } from './failure-messages.ts'

const text = (content: string): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [{ type: 'text', content }], finishReason: 'stop' })
const context = { runner: 'vitest' as const, testPath: `${process.cwd()}/weather.test.ts`, testName: 'forecast', isNot: false, update: false }

describe('divergedMessage', () => {
  test.each([
    ['The weather in Paris is sunny, 21°C.', 'The weather in Lyon is sunny, 21°C.', 'entity: Paris → Lyon'],
    ['The weather in Paris is sunny, 21°C.', 'The weather in Paris is sunny, 21°F.', 'unit: °C → °F (21°C → 21°F)'],
    ['Your loan application was approved.', 'Your loan application was rejected.', 'opposite: approved → rejected'],
    ['I archived the old report.', 'I deleted the old report.', 'action: archived → deleted'],
  ])('names the kind and both values, with the similarity once: %s → %s', (golden, live, reason) => {
    const divergence = compareRuns({ steps: [text(golden)] }, { steps: [text(live)] })
    const message = divergedMessage(context, divergence, `${process.cwd()}/__cassettes__/forecast.cassette.json`, 'live')
    expect(message).toContain('The live run diverged from the golden cassette at step 1 (text layer')
    const bullet = message.split('\n').find((line) => line.includes(reason))
    expect(bullet).toMatch(/^ {2}• Step 1 text: .+ \(similarity \d\.\d+\)\.$/)
    expect(bullet!.match(/similarity/g)).toHaveLength(1)
  })
})
