import { describe, expect, test } from 'vitest'
import { buildTimeline } from '../src/review/build-timeline.ts'
import { renderTimeline } from '../src/review/render-timeline.ts'
import { weatherRun } from './hand-made-cassettes.ts'

describe('buildTimeline', () => {
  test('lists steps and other requests in cassette order, with the messages new at each step', () => {
    const timeline = buildTimeline(weatherRun({ ping: true }))
    expect(timeline.entries.map((entry) => (entry.kind === 'step' ? `step ${entry.step}` : `${entry.method} request`))).toEqual(['GET request', 'step 1', 'step 2'])
    const [, first, second] = timeline.entries
    expect(first).toMatchObject({ kind: 'step', interaction: 1, provider: 'openai', model: 'gpt-4o-mini', earlierMessages: 0, toolsChanged: true, finishReason: 'tool_calls' })
    expect(first?.kind === 'step' && first.input).toEqual([{ role: 'user', text: 'What is the weather in Paris?' }])
    expect(first?.kind === 'step' && first.toolCalls).toEqual([{ name: 'get_weather', arguments: { city: 'Paris' } }])
    // Step 2 repeats the question and the assistant's call: only the tool result is new,
    // and it is named after the call it answers.
    expect(second).toMatchObject({ kind: 'step', step: 2, earlierMessages: 2, toolsChanged: false, text: 'The weather in Paris is sunny, 18 °C.' })
    expect(second?.kind === 'step' && second.input).toEqual([{ role: 'tool', text: 'get_weather → {"city":"Paris","sky":"sunny","temperatureC":18}' }])
  })

  test('totals tokens, cost and time, and keeps the run result', () => {
    const timeline = buildTimeline(weatherRun({ ping: true }))
    expect(timeline.totals).toMatchObject({ steps: 2, requests: 1, inputTokens: 212, outputTokens: 19, tokens: 231, durationMs: 2 + 5 + 4 })
    expect(timeline.totals.costUsd).toBeCloseTo(0.0000432, 10)
    expect(timeline.run).toEqual({ result: 'The weather in Paris is sunny, 18 °C.', test: { file: 'weather.test.ts', name: 'weather in Paris' } })
  })
})

describe('renderTimeline', () => {
  test('shows each step with model, messages, tool calls, text, finish reason, tokens, cost and latency, then totals', () => {
    const text = renderTimeline(buildTimeline(weatherRun()), { title: 'weather.cassette.json' })
    expect(text).toContain('weather.cassette.json\nrecorded by weather.test.ts › weather in Paris · @retrace/core 0.1.0')
    expect(text).toContain('#1 Step 1 · openai gpt-4o-mini · openai.chat.completions · 4 ms')
    expect(text).toContain('> user: What is the weather in Paris?')
    expect(text).toContain('tools: get_weather')
    expect(text).toContain('< call get_weather {"city":"Paris"}')
    expect(text).toContain('finish tool_calls · 92 in / 7 out tokens · $0.000018')
    expect(text).toContain('< text: The weather in Paris is sunny, 18 °C.')
    expect(text).toContain('Result  The weather in Paris is sunny, 18 °C.')
    expect(text).toMatch(/Totals {2}2 step\(s\) · 231 tokens \(212 in \/ 19 out\) · \$0\.000043 · 9 ms in calls\n$/)
  })

  test('trims long texts for a terminal, unless asked for the full text', () => {
    const answer = `Paris: ${'sunny and mild. '.repeat(80)}`
    const timeline = buildTimeline(weatherRun({ answer }))
    expect(renderTimeline(timeline)).toMatch(/< text: Paris: sunny.*… \(\+\d+ chars\)/)
    expect(renderTimeline(timeline, { full: true })).toContain(answer)
  })

  test('textconv output is complete and the same for two recordings of the same run', () => {
    const answer = `Paris: ${'sunny and mild. '.repeat(80)}`
    const one = renderTimeline(buildTimeline(weatherRun({ answer, ping: true })), { textconv: true })
    // Another recording: new ids, new latencies, a new local port.
    const two = renderTimeline(buildTimeline(weatherRun({ answer, ping: true, callId: 'call_xyz', latencyMs: 900, port: 51234 })), { textconv: true })
    expect(one).toBe(two)
    expect(one).toContain(answer)
    expect(one).not.toMatch(/\d ms|in calls/)
    expect(one).toContain('#1 GET http://localhost/ping → 200')
    expect(one).toContain('tool get_weather: Current weather for a city {"type":"object"')
  })

  test('colours only through the style function it is given', () => {
    const style = (format: unknown, text: string) => `<${String(format)}>${text}</>`
    expect(renderTimeline(buildTimeline(weatherRun()), { style })).toContain('<bold>Totals</>')
    expect(renderTimeline(buildTimeline(weatherRun()), { style, textconv: true })).not.toContain('<bold>')
  })
})
