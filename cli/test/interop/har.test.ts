import { describe, expect, test } from 'vitest'
import { CassetteSchema } from '@retrace/cassettes'
import { everyShape, jsonChat, streamedChat } from './fixture-cassettes.ts'
import { fromHar, toHar } from '../../src/interop/har.ts'
import { InteropInputError } from '../../src/interop/interop-input-error.ts'

const throughJson = <T,>(value: T): unknown => JSON.parse(JSON.stringify(value))

describe('toHar', () => {
  test('writes a HAR 1.2 log with one entry per interaction, laid end to end', () => {
    const har = toHar(everyShape, { startTime: new Date('2025-01-31T09:00:00Z') })
    expect(har.log.version).toBe('1.2')
    expect(har.log.creator.name).toBe('@retrace/cli')
    expect(har.log.entries).toHaveLength(everyShape.interactions.length)
    const [first, second] = har.log.entries
    expect(first!.startedDateTime).toBe('2025-01-31T09:00:00.000Z')
    expect(first!.time).toBe(125)
    expect(first!.timings).toEqual({ blocked: -1, dns: -1, connect: -1, send: 0, wait: 120, receive: 5 })
    expect(second!.startedDateTime).toBe('2025-01-31T09:00:00.125Z')
  })

  test('bodies are the bytes replay serves, with the content type', () => {
    const [json, stream, , text, binary, failed] = toHar(everyShape).log.entries
    expect(json!.request.postData).toEqual({
      mimeType: 'application/json',
      text: '{"model":"gpt-4o-mini","temperature":1,"messages":[{"role":"user","content":"Weather in Paris?"}]}',
    })
    expect(json!.response.content.mimeType).toBe('application/json')
    expect(JSON.parse(json!.response.content.text!)).toMatchObject({ id: 'chatcmpl-1' })
    expect(stream!.response.content.text).toMatch(/^: keep-alive\ndata: \{"id":"chatcmpl-2"/)
    expect(stream!.response.content.text!.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(stream!._retrace.sse).toEqual([0, 3, 7, 9, 10, 11])
    expect(text!.request.queryString).toEqual([{ name: 'units', value: 'metric' }, { name: 'lang', value: 'en' }])
    expect(binary!.response.content).toMatchObject({ encoding: 'base64', size: 6, mimeType: 'image/png' })
    expect(binary!.request.postData).toMatchObject({ _encoding: 'base64' })
    expect(failed!.response).toMatchObject({ status: 0, _error: 'connect ECONNREFUSED 127.0.0.1:9' })
  })

  test('the stored step, the body end, the run and unknown fields go in _retrace', () => {
    const har = toHar(everyShape)
    expect(har.log._retrace).toMatchObject({ version: 1, run: everyShape.run, extra: { futureField: { kept: true } } })
    expect(har.log.entries[0]!._retrace.step).toEqual(jsonChat.step)
    expect(har.log.entries[2]!._retrace.end).toEqual({ outcome: 'error', t: 40, message: 'socket hang up' })
    expect(har.log.entries[3]!._retrace.extra).toEqual({ note: 'kept as is' })
  })
})

describe('fromHar', () => {
  test('restores a Retrace HAR exactly', () => {
    const back = CassetteSchema.parse(fromHar(throughJson(toHar(everyShape))))
    expect(back).toEqual(everyShape)
  })

  test('reads a plain browser HAR: headers normalised, stream split into events, status 0 as a network error', () => {
    const har = throughJson(toHar({ version: 1, interactions: [jsonChat, streamedChat] })) as { log: { entries: Array<Record<string, unknown>> } }
    for (const entry of har.log.entries) delete entry['_retrace']
    const entries = har.log.entries as Array<{ request: { headers: Array<{ name: string; value: string }> }; response: { headers: Array<{ name: string; value: string }> } }>
    entries[0]!.request.headers.push({ name: ':authority', value: 'api.openai.com' }, { name: 'Content-Length', value: '99' }, { name: 'X-Stainless-OS', value: 'Linux' })
    entries[0]!.response.headers.push({ name: 'Content-Encoding', value: 'gzip' }, { name: 'Set-Cookie', value: 'a=1' }, { name: 'Set-Cookie', value: 'b=2' })
    har.log.entries.push({
      startedDateTime: '2025-01-01T00:00:00Z',
      time: 5,
      request: { method: 'get', url: 'https://down.example.com/', headers: [] },
      response: { status: 0, statusText: '', headers: [], content: { size: 0, mimeType: 'x-unknown' }, _error: 'net::ERR_CONNECTION_REFUSED' },
      timings: { send: 0, wait: 5, receive: 0 },
    })
    const cassette = fromHar(har)
    const [json, stream, failed] = cassette.interactions
    expect(json!.request.headers).toEqual({ authorization: '[REDACTED]', 'content-type': 'application/json' })
    expect(json!.response!.headers).toEqual({ 'content-type': 'application/json', 'set-cookie': 'a=1, b=2', 'x-request-id': 'req_1' })
    expect(json!.request.body).toEqual(jsonChat.request.body)
    expect(json!.response!.body).toEqual(jsonChat.response!.body)
    expect(json!.timing).toEqual({ latencyMs: 120, durationMs: 125 })
    const original = streamedChat.response!.body as { sse: Array<{ t: number }> }
    const events = (stream!.response!.body as { sse: Array<{ t: number }> }).sse
    expect(events.map(({ t: _t, ...event }) => event)).toEqual(original.sse.map(({ t: _t, ...event }) => event))
    // No recorded offsets: spread over the 15 ms the body took.
    expect(events.map((event) => event.t)).toEqual([0, 3, 6, 9, 12, 15])
    expect(failed).toEqual({ request: { method: 'GET', url: 'https://down.example.com/', headers: {} }, error: { message: 'net::ERR_CONNECTION_REFUSED' }, timing: { latencyMs: 5, durationMs: 5 } })
  })

  test('form posts given as params, base64 content and a body the tool did not keep', () => {
    const warnings: string[] = []
    const cassette = fromHar(
      {
        log: {
          version: '1.2',
          entries: [
            {
              request: { method: 'POST', url: 'https://example.com/form', headers: [{ name: 'Content-Type', value: 'application/x-www-form-urlencoded' }], postData: { mimeType: 'application/x-www-form-urlencoded', params: [{ name: 'q', value: 'a b' }, { name: 'n', value: '1' }] } },
              response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], content: { size: 8, mimeType: 'application/json', text: Buffer.from('{"ok":1}').toString('base64'), encoding: 'base64' } },
            },
            {
              request: { method: 'GET', url: 'https://example.com/big', headers: [] },
              response: { status: 200, headers: [], content: { size: 2048, mimeType: 'text/html' } },
            },
          ],
        },
      },
      { onWarning: (message) => warnings.push(message) },
    )
    expect(cassette.interactions[0]!.request.body).toEqual({ text: 'q=a%20b&n=1' })
    expect(cassette.interactions[0]!.response!.body).toEqual({ json: { ok: 1 } })
    expect(cassette.interactions[1]!.response!.body).toBeUndefined()
    expect(warnings).toEqual([expect.stringContaining('entry #2 (GET https://example.com/big): the HAR has no response body text')])
  })

  test('a malformed HAR names the field', () => {
    const bad = { log: { version: '1.2', entries: [{ request: { method: 'GET', url: 'https://example.com' }, response: { status: '200', headers: [] } }] } }
    expect(() => fromHar(bad, { source: 'bad.har' })).toThrow(InteropInputError)
    expect(() => fromHar(bad, { source: 'bad.har' })).toThrow(/bad\.har is not usable as HAR: \$\.log\.entries\[0\]\.response\.status: .*number/)
    expect(() => fromHar({ entries: [] }, { source: 'x.har' })).toThrow(/\$\.log: /)
  })

  test('an unknown HAR version is refused', () => {
    expect(() => fromHar({ log: { version: '2.0', entries: [] } }, { source: 'new.har' })).toThrow(/\$\.log\.version: HAR version "2\.0" is not supported/)
  })
})
