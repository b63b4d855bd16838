import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { CassetteMismatchError, RetraceError } from '@retrace/cassettes'
import { compareRuns } from '@retrace/divergence'
import { textStep } from '../../../test-support/stored-steps.ts'
import { agentThrewMessage, divergedMessage, missingCassetteMessage, requestChangedMessage } from './failure-messages.ts'

const text = textStep
const context = { runner: 'vitest' as const, testPath: join(process.cwd(), 'weather.test.ts'), testName: 'forecast', isNot: false, update: false }
const file = join(process.cwd(), '__cassettes__', 'weather.test.ts', 'forecast.cassette.json')
const shownFile = join('__cassettes__', 'weather.test.ts', 'forecast.cassette.json')
const COMPLETIONS = 'https://api.openai.com/v1/chat/completions'

describe('divergedMessage', () => {
  test.each([
    ['The weather in Paris is sunny, 21°C.', 'The weather in Lyon is sunny, 21°C.', 'entity: Paris → Lyon'],
    ['The weather in Paris is sunny, 21°C.', 'The weather in Paris is sunny, 21°F.', 'unit: °C → °F (21°C → 21°F)'],
    ['Your loan application was approved.', 'Your loan application was rejected.', 'opposite: approved → rejected'],
    ['I archived the old report.', 'I deleted the old report.', 'action: archived → deleted'],
  ])('names the kind and both values, with the similarity once: %s → %s', (golden, live, reason) => {
    const divergence = compareRuns({ steps: [text(golden)] }, { steps: [text(live)] })
    const message = divergedMessage(context, divergence, file, 'live')
    expect(message).toContain('The live run diverged from the golden cassette at step 1 (text layer')
    const bullet = message.split('\n').find((line) => line.includes(reason))
    expect(bullet).toMatch(/^ {2}• Step 1 text: .+ \(similarity \d\.\d+\)\.$/)
    expect(bullet!.match(/similarity/g)).toHaveLength(1)
  })

  test('a replayed run: names the scorer, the cassette (relative to the working directory) and the command to re-record', () => {
    const divergence = compareRuns({ steps: [text('Paris is sunny.')] }, { steps: [text('Lyon is sunny.')] })
    const message = divergedMessage(context, divergence, file, 'replay')
    expect(message).toMatch(/^The replayed run diverged from the golden cassette at step 1 \(text layer, similarity \d\.\d\d\):/)
    expect(message).toContain(`\n\nScorer: ${divergence.scorer.id}@${divergence.scorer.version}`)
    expect(message).toContain(`\n\nCassette: ${shownFile}`)
    expect(message).toMatch(/If the new behaviour is right, re-record: npx vitest run weather.test.ts -t forecast -u$/)
  })

  test('more than eight reasons: the first eight, and how many more', () => {
    const golden = Array.from({ length: 10 }, (_, n) => text(`The parcel for order ${n} left Paris on Monday.`))
    const live = Array.from({ length: 10 }, (_, n) => text(`The parcel for order ${n} left Lyon on Monday.`))
    const divergence = compareRuns({ steps: golden }, { steps: live })
    expect(divergence.reasons.length).toBeGreaterThan(8)
    const message = divergedMessage(context, divergence, file, 'replay')
    expect(message.split('\n').filter((line) => line.startsWith('  • '))).toHaveLength(8)
    expect(message).toContain(`  … and ${divergence.reasons.length - 8} more`)
  })
})

describe('missingCassetteMessage', () => {
  test('says why nothing was recorded and gives the command that records it', () => {
    const message = missingCassetteMessage(context, file)
    expect(message).toBe(
      [
        `No cassette for this test: ${shownFile}`,
        'Retrace never records under CI (or with RETRACE_MODE=replay): a missing cassette would be a live, billed call.',
        'Record it on your machine, then commit it:\n  npx vitest run weather.test.ts -t forecast',
      ].join('\n\n'),
    )
  })
})

describe('requestChangedMessage', () => {
  test('a changed request: the step, the endpoint, what changed, the cassette and how to re-record', () => {
    const mismatch = new CassetteMismatchError({
      file,
      reason: 'unmatched',
      method: 'POST',
      url: COMPLETIONS,
      requestNumber: 2,
      closest: { index: 1, differences: [{ path: '$.messages[0].content', kind: 'changed', recorded: 'Weather in Paris?', received: 'Weather in Lyon?' }] },
    })
    const message = requestChangedMessage(context, mismatch, file)
    const [headline, details, cassette, rerecord] = message.split('\n\n')
    expect(headline).toBe('The agent now sends a different request at step 2 (POST /v1/chat/completions).')
    expect(details).toBe('Closest recorded request: interaction #2 (step 2). What changed (recorded → received):\n  ~ $.messages[0].content: Weather in [-Paris-]{+Lyon+}?')
    expect(cassette).toBe(`Cassette: ${shownFile}`)
    expect(rerecord).toBe('If the change is intended, re-record this test:\n  npx vitest run weather.test.ts -t forecast -u\n  (or set RETRACE_UPDATE=1)')
  })

  test('without a close recorded request, the request number', () => {
    const mismatch = new CassetteMismatchError({ file, reason: 'unmatched', method: 'POST', url: COMPLETIONS, requestNumber: 3 })
    expect(requestChangedMessage(context, mismatch, file)).toMatch(/^The agent now sends a different request at request #3 \(POST \/v1\/chat\/completions\)\.\n\nCassette: /)
  })

  test('more calls than the golden run', () => {
    const mismatch = new CassetteMismatchError({ file, reason: 'exhausted', method: 'POST', url: COMPLETIONS, requestNumber: 4, recordedCount: 3 })
    expect(requestChangedMessage(context, mismatch, file).split('\n\n')[0]).toBe(
      `The agent now makes more calls than the golden run: request #4 (POST ${COMPLETIONS}) was already replayed 3 time(s).`,
    )
  })

  test('a host the golden run never called', () => {
    const mismatch = new CassetteMismatchError({ file, reason: 'egress-blocked', method: 'GET', url: 'https://api.weather.example/today', requestNumber: 1 })
    expect(requestChangedMessage(context, mismatch, file).split('\n\n')[0]).toBe('The agent now calls a host the golden run never called: GET https://api.weather.example/today.')
  })
})

describe('agentThrewMessage', () => {
  test('while recording: the agent’s own error, and that nothing was written', () => {
    expect(agentThrewMessage(new TypeError('city is undefined'), 'record', file)).toBe(`The agent threw while recording; nothing was written:\n\n  TypeError: city is undefined\n\nCassette: ${shownFile}`)
  })

  test('during replay and live runs; a multi-line error stays indented; a thrown non-error is shown as text', () => {
    expect(agentThrewMessage(new Error('first\nsecond'), 'replay', file)).toContain('The agent threw during replay:\n\n  Error: first\n  second\n\n')
    expect(agentThrewMessage('plain string', 'live', file)).toContain('The agent threw during the live run:\n\n  plain string\n\n')
  })

  test('a Retrace error’s hint is shown once', () => {
    const error = new RetraceError('RETRACE_EXAMPLE', 'The cassette is locked.', { hint: 'Close the other test run.' })
    const message = agentThrewMessage(error, 'replay', file)
    expect(message.match(/Close the other test run\./g)).toHaveLength(1)
  })
})
