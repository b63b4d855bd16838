import { describe, expect, test } from 'vitest'
import { diffCassettes } from '../src/review/diff-cassettes.ts'
import { renderCassetteDiff } from '../src/review/render-cassette-diff.ts'
import { weatherRun } from './hand-made-cassettes.ts'

describe('diffCassettes', () => {
  test('two recordings of the same run are identical: ids, latencies and ports do not count', () => {
    const diff = diffCassettes(weatherRun({ ping: true }), weatherRun({ ping: true, callId: 'call_other', latencyMs: 700, port: 50000 }))
    expect(diff.verdict).toBe('identical')
    expect(diff.steps.map((step) => [step.step, step.candidateStep, step.status, step.requestChanges.length])).toEqual([
      [1, 1, 'identical', 0],
      [2, 2, 'identical', 0],
    ])
    expect(diff.requests).toEqual([])
    expect(diff.steps[0]?.delta).toEqual({ tokens: 0, costUsd: 0, latencyMs: 696 })
    expect(renderCassetteDiff(diff)).toContain('Identical: same requests and outputs')
  })

  test('a reworded prompt answered the same way is equivalent, and the request change is shown as a word diff', () => {
    const diff = diffCassettes(weatherRun(), weatherRun({ question: 'What is the weather like in Paris?' }))
    expect(diff.verdict).toBe('equivalent')
    expect(diff.steps[0]?.requestChanges).toEqual([{ path: '$.messages[0].content', kind: 'changed', recorded: 'What is the weather in Paris?', received: 'What is the weather like in Paris?' }])
    const text = renderCassetteDiff(diff)
    expect(text).toContain('Step 1 · identical\n  request changed:\n    ~ $.messages[0].content: What is the weather {+like +}in Paris?')
  })

  test('a changed answer diverges at the step that changed, with the reason, similarity and deltas', () => {
    const diff = diffCassettes(weatherRun(), weatherRun({ answer: 'The weather in Paris is sunny, 19 °C.', answerTokens: 14 }))
    expect(diff).toMatchObject({ verdict: 'diverged', layer: 'text', firstDivergentStep: 2 })
    const step = diff.steps[1]!
    expect(step).toMatchObject({ step: 2, status: 'diverged', text: { before: 'The weather in Paris is sunny, 18 °C.', after: 'The weather in Paris is sunny, 19 °C.' } })
    expect(step.reasons.map((reason) => reason.kind)).toContain('critical-token-changed')
    expect(step.delta.tokens).toBe(2)
    expect(diff.totals.delta).toMatchObject({ steps: 0, tokens: 2 })
    expect(diff.result?.before).toBe('The weather in Paris is sunny, 18 °C.')
    const text = renderCassetteDiff(diff, { labels: { before: 'old.json', after: 'new.json' } })
    expect(text).toMatch(/^old\.json → new\.json\nDiverged at step 2 \(text layer, score [\d.]+\)\./)
    expect(text).toContain('Step 2 · diverged')
    expect(text).toContain('~ text: The weather in Paris is sunny, [-18-]{+19+} °C.')
    expect(text).toMatch(/tokens 132 → 134 \(\+2\) · cost \$[\d.]+ → \$[\d.]+ \(\+\$[\d.]+\)/)
  })

  test('a step only one side has is reported as added or removed', () => {
    const golden = weatherRun()
    const extra = weatherRun()
    extra.interactions.push(extra.interactions[1]!)
    const diff = diffCassettes(golden, extra)
    expect(diff.verdict).toBe('diverged')
    expect(diff.steps.at(-1)).toMatchObject({ candidateStep: 3, status: 'added' })
    expect(diff.steps.at(-1)?.step).toBeUndefined()
    expect(renderCassetteDiff(diff)).toContain('Step 3 (new) · added')
    expect(diffCassettes(extra, golden).steps.at(-1)).toMatchObject({ step: 3, status: 'missing' })
  })

  test('other HTTP requests added or removed make the cassettes differ without a divergence', () => {
    const diff = diffCassettes(weatherRun({ ping: true }), weatherRun())
    expect(diff.verdict).toBe('equivalent')
    expect(diff.requests).toEqual([{ change: 'removed', method: 'GET', url: 'http://127.0.0.1:40471/ping' }])
    expect(renderCassetteDiff(diff)).toContain('Other requests:\n  - GET http://127.0.0.1:40471/ping (removed)')
  })

  test('latencies can be left out of the rendering', () => {
    const diff = diffCassettes(weatherRun(), weatherRun({ latencyMs: 40 }))
    expect(renderCassetteDiff(diff)).toContain('latency 4 ms → 40 ms (+36 ms)')
    expect(renderCassetteDiff(diff, { latency: false })).not.toMatch(/latency|time in calls/)
  })
})
