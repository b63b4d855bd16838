import { describe, expect, test } from 'vitest'
import { buildReview, type ChangedCassette } from '../src/review/build-review.ts'
import { renderReviewMarkdown } from '../src/review/render-review.ts'
import { cassetteText, weatherRun } from './hand-made-cassettes.ts'

const base = { ref: 'main', commit: '0123456789abcdef0123456789abcdef01234567' }
const changes: ChangedCassette[] = [
  { path: '__cassettes__/weather.test.ts/same.cassette.json', change: 'modified', before: cassetteText(weatherRun()), after: cassetteText(weatherRun({ callId: 'call_new', latencyMs: 80 })) },
  { path: '__cassettes__/weather.test.ts/rome.cassette.json', change: 'added', after: cassetteText(weatherRun({ city: 'Rome' })) },
  {
    path: '__cassettes__/weather.test.ts/paris.cassette.json',
    change: 'modified',
    before: cassetteText(weatherRun()),
    after: cassetteText(weatherRun({ question: 'What is the weather in Lyon?', city: 'Lyon', answer: 'The weather in Lyon is sunny, 19 °C.', answerTokens: 14 })),
  },
  { path: '__cassettes__/weather.test.ts/oslo.cassette.json', change: 'deleted', before: cassetteText(weatherRun({ city: 'Oslo' })) },
  { path: '__cassettes__/weather.test.ts/broken.cassette.json', change: 'modified', before: cassetteText(weatherRun()), after: '<<<<<<< HEAD\n{' },
]

describe('buildReview', () => {
  test('judges each changed cassette and puts what needs a reviewer first', () => {
    const report = buildReview(base, changes)
    expect(report.entries.map((entry) => [entry.path.split('/').at(-1), entry.verdict])).toEqual([
      ['paris.cassette.json', 'diverged'],
      ['broken.cassette.json', 'unreadable'],
      ['rome.cassette.json', 'added'],
      ['oslo.cassette.json', 'deleted'],
      ['same.cassette.json', 'identical'],
    ])
    expect(report.counts).toEqual({ diverged: 1, unreadable: 1, added: 1, deleted: 1, equivalent: 0, identical: 1 })
    const rome = report.entries.find((entry) => entry.verdict === 'added')!
    const oslo = report.entries.find((entry) => entry.verdict === 'deleted')!
    expect(rome.delta).toMatchObject({ steps: 2, tokens: 231 })
    expect(oslo.delta).toMatchObject({ steps: -2, tokens: -231 })
    // Added and deleted cancel out; the diverged answer costs 2 tokens more.
    expect(report.delta.steps).toBe(0)
    expect(report.delta.tokens).toBe(2)
    expect(report.entries[1]!.error).toContain('broken.cassette.json is not usable')
  })
})

describe('renderReviewMarkdown', () => {
  test('a headline table, then a collapsible step-by-step section per cassette', () => {
    const markdown = renderReviewMarkdown(buildReview(base, changes))
    expect(markdown).toContain('## Retrace cassette review')
    expect(markdown).toContain('5 cassette(s) changed against `main` (`0123456789ab`): 1 diverged · 1 unreadable · 1 added · 1 deleted · 1 identical.')
    expect(markdown).toContain('| cassette | verdict | Δ tokens | Δ cost | Δ steps |')
    expect(markdown).toContain('| `__cassettes__/weather.test.ts/paris.cassette.json` | ❌ diverged | +2 | +$0.000001 | 0 |')
    expect(markdown).toContain('| `__cassettes__/weather.test.ts/rome.cassette.json` | 🆕 added | +231 | +$0.000043 | +2 |')
    expect(markdown).toContain('| `__cassettes__/weather.test.ts/oslo.cassette.json` | 🗑️ deleted | -231 | -$0.000043 | -2 |')
    expect(markdown).toContain('<summary>❌ diverged: __cassettes__/weather.test.ts/paris.cassette.json</summary>')
    expect(markdown).toContain('~ $.messages[0].content: What is the weather in [-Paris-]{+Lyon+}?')
    expect(markdown).toContain('~ text: The weather in [-Paris-]{+Lyon+} is sunny, [-18-]{+19+} °C.')
    expect(markdown.match(/<details>/g)).toHaveLength(5)
    // Latencies change on every recording: not in a review.
    expect(markdown).not.toMatch(/latency|in calls/)
  })

  test('says so when nothing changed', () => {
    expect(renderReviewMarkdown(buildReview(base, []))).toBe('## Retrace cassette review\n\nNo cassette changed against `main` (`0123456789ab`).\n')
  })

  test('stays under the comment size limit by leaving sections out, and says so', () => {
    const markdown = renderReviewMarkdown(buildReview(base, changes), { maxChars: 2500 })
    expect(markdown.length).toBeLessThan(3000)
    expect(markdown).toMatch(/> \d section\(s\) left out to stay under GitHub's comment size limit/)
  })

  test('cassette text cannot break out of its code block', () => {
    const sneaky = weatherRun({ answer: 'Use ``` fences ```` like this.' })
    const markdown = renderReviewMarkdown(buildReview(base, [{ path: 'a.cassette.json', change: 'added', after: cassetteText(sneaky) }]))
    expect(markdown).toContain('`````text\n')
  })
})
