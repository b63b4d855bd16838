import { describe, expect, test } from 'vitest'
import { CassetteMismatchError } from '../errors/cassette-mismatch-error.ts'
import type { RecordedRequest } from '../schema/interaction.ts'
import { diffRequests, formatRequestDifferences } from './describe-request-diff.ts'
import { findClosestRequest } from './find-closest-request.ts'
import { compileMatchOptions, normalizeUrlForMatching, requestKey } from './request-key.ts'

const chat = (content: string, extra: Record<string, unknown> = {}): RecordedRequest => ({
  method: 'POST',
  url: 'https://api.openai.com/v1/chat/completions',
  headers: { 'content-type': 'application/json' },
  body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }], ...extra } as never },
})

describe('requestKey', () => {
  const options = compileMatchOptions()

  test('ignores key order and headers, not content', () => {
    const a = chat('Book me a flight to Paris')
    const reordered: RecordedRequest = { ...a, headers: { 'x-other': '1' }, body: { json: { messages: (a.body as { json: { messages: unknown } }).json.messages, model: 'gpt-4o-mini' } as never } }
    expect(requestKey(reordered, options)).toBe(requestKey(a, options))
    expect(requestKey(chat('Book me a flight to Rome'), options)).not.toBe(requestKey(a, options))
  })

  test('ignorePaths leave fields out of matching', () => {
    const withIgnore = compileMatchOptions({ ignorePaths: ['$.metadata.sent_at'] })
    const a = chat('hi', { metadata: { sent_at: '2026-01-01T00:00:00Z' } })
    const b = chat('hi', { metadata: { sent_at: '2026-02-02T00:00:00Z' } })
    expect(requestKey(a, withIgnore)).toBe(requestKey(b, withIgnore))
    expect(requestKey(a, options)).not.toBe(requestKey(b, options))
  })

  test('loopback ports do not matter; real hosts and paths do', () => {
    expect(normalizeUrlForMatching('http://127.0.0.1:51234/v1/x?b=2&a=1')).toBe('http://localhost/v1/x?a=1&b=2')
    expect(normalizeUrlForMatching('http://localhost:9999/v1/x')).toBe('http://localhost/v1/x')
    expect(normalizeUrlForMatching('https://api.openai.com/v1/x')).not.toBe(normalizeUrlForMatching('https://api.anthropic.com/v1/x'))
  })

  test('matchHeaders makes a header part of the key', () => {
    const strict = compileMatchOptions({ matchHeaders: ['Anthropic-Version'] })
    const a = { ...chat('hi'), headers: { 'anthropic-version': '2023-06-01' } }
    const b = { ...chat('hi'), headers: { 'anthropic-version': '2024-01-01' } }
    expect(requestKey(a, strict)).not.toBe(requestKey(b, strict))
  })
})

describe('diffs and closest request', () => {
  const options = compileMatchOptions()

  test('lists changed fields by JSON path with a word diff', () => {
    const differences = diffRequests(chat('Book me a flight to Paris'), chat('Book me a cheap flight to Rome', { temperature: 0.2 }), options)
    expect(differences.map((d) => [d.path, d.kind])).toEqual([
      ['$.messages[1].content', 'changed'],
      ['$.temperature', 'added'],
    ])
    const text = formatRequestDifferences(differences)
    expect(text).toContain('~ $.messages[1].content: Book me a {+cheap +}flight to [-Paris-]{+Rome+}')
    expect(text).toContain('+ $.temperature: 0.2')
  })

  test('finds the recorded request with the fewest differences on the same endpoint', () => {
    const recorded = [chat('What is the weather?'), chat('Book me a flight to Paris'), { ...chat('x'), url: 'https://api.openai.com/v1/embeddings' }]
    const closest = findClosestRequest(chat('Book me a flight to Rome'), recorded, options)
    expect(closest?.index).toBe(1)
    expect(findClosestRequest({ ...chat('x'), url: 'https://elsewhere.example.com/v1/chat/completions' }, recorded, options)).toBeUndefined()
  })

  // A Gemini tool loop as @ai-sdk/google sends it: step 2 repeats step 1 and adds the model's
  // function call and the tool's answer, each with an id the client made up.
  const gemini = (contents: unknown[]): RecordedRequest => ({
    method: 'POST',
    url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    headers: {},
    body: { json: { contents } as never },
  })
  const user = { role: 'user', parts: [{ text: 'What is the weather in Paris?' }] }
  const call = (id: string) => ({ role: 'model', parts: [{ functionCall: { id, name: 'get_weather', args: { city: 'Paris' } } }] })
  const result = (id: string, content: Record<string, unknown>) => ({
    role: 'user',
    parts: [{ functionResponse: { id, name: 'get_weather', response: { name: 'get_weather', content } } }],
  })

  test('ids the client generates (Gemini functionCall / functionResponse) do not decide a match', () => {
    const recorded = gemini([user, call('UGj2TKx8DTbGx21f'), result('UGj2TKx8DTbGx21f', { sky: 'sunny' })])
    const replayed = gemini([user, call('q9LrW0aZc1Yb7XkE'), result('q9LrW0aZc1Yb7XkE', { sky: 'sunny' })])
    expect(requestKey(replayed, options)).toBe(requestKey(recorded, options))
    expect(requestKey(gemini([user, call('q9LrW0aZc1Yb7XkE'), result('q9LrW0aZc1Yb7XkE', { sky: 'rain' })]), options)).not.toBe(requestKey(recorded, options))
  })

  test('a changed step 2 is blamed on step 2, not on the shorter step 1', () => {
    const recorded = [gemini([user]), gemini([user, call('UGj2TKx8DTbGx21f'), result('UGj2TKx8DTbGx21f', { city: 'Paris', sky: 'sunny' })])]
    const received = gemini([user, call('q9LrW0aZc1Yb7XkE'), result('q9LrW0aZc1Yb7XkE', { city: 'Paris', sky: 'rainy', temperatureC: 12 })])
    const closest = findClosestRequest(received, recorded, options)
    expect(closest?.index).toBe(1)
    expect(closest?.differences.map((d) => d.path)).toEqual([
      '$.contents[2].parts[0].functionResponse.response.content.sky',
      '$.contents[2].parts[0].functionResponse.response.content.temperatureC',
    ])
  })

  test('the mismatch error names the request, the closest step and how to re-record', () => {
    const error = new CassetteMismatchError({
      file: '/tmp/a.cassette.json',
      reason: 'unmatched',
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      requestNumber: 2,
      closest: { index: 1, differences: diffRequests(chat('Paris'), chat('Rome'), options) },
    })
    expect(error.message).toContain('Request #2, POST https://api.openai.com/v1/chat/completions, does not match')
    expect(error.message).toContain('interaction #2 (step 2)')
    expect(error.message).toContain('[-Paris-]{+Rome+}')
    expect(error.message).toContain('RETRACE_MODE=record')
    expect(error.code).toBe('RETRACE_CASSETTE_MISMATCH')
  })
})
