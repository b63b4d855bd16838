import { gzipSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { everyShape, jsonChat, streamedChat, textResponse } from './fixture-cassettes.ts'
import { InteropInputError } from '../../src/interop/interop-input-error.ts'
import { fromNock, toNock } from '../../src/interop/nock.ts'

describe('toNock', () => {
  test('one definition per answered interaction, in order', () => {
    const warnings: string[] = []
    const definitions = toNock(everyShape, { onWarning: (message) => warnings.push(message) })
    expect(definitions.map((definition) => `${definition.method} ${definition.scope}${definition.path}`)).toEqual([
      'POST https://api.openai.com/v1/chat/completions',
      'POST https://api.openai.com/v1/chat/completions',
      'POST https://api.openai.com/v1/chat/completions',
      'GET https://weather.example.com/v1/paris?units=metric&lang=en',
      'PUT https://files.example.com/upload',
    ])
    expect(warnings).toEqual([
      expect.stringContaining('interaction #3 (POST https://api.openai.com/v1/chat/completions): its body was cut short'),
      expect.stringContaining('interaction #5 (PUT https://files.example.com/upload): its request body is binary'),
      expect.stringContaining('interaction #6 (GET https://down.example.com/): left out, it got no response'),
    ])
  })

  test('JSON bodies as objects (matched deeply, sent stringified), streams as text, the usage chunk hidden as on replay', () => {
    const [json, stream] = toNock({ version: 1, interactions: [jsonChat, streamedChat] })
    expect(json).toMatchObject({ status: 200, body: { model: 'gpt-4o-mini' }, response: { id: 'chatcmpl-1' }, rawHeaders: { 'content-type': 'application/json', 'x-request-id': 'req_1' } })
    expect(json!.responseIsBinary).toBeUndefined()
    expect(stream!.response).toEqual(expect.stringMatching(/^: keep-alive\ndata: .*data: \[DONE\]\n\n$/s))
    expect(stream!.response).not.toContain('"choices":[]')
  })

  test('text nock would mistake for JSON, and binary bodies, go as hex', () => {
    const [jsonLookingText, plain] = toNock({
      version: 1,
      interactions: [
        { ...textResponse, response: { status: 200, headers: { 'content-type': 'text/plain' }, body: { text: '12345678901234567890' } } },
        textResponse,
      ],
    })
    expect(jsonLookingText).toMatchObject({ response: Buffer.from('12345678901234567890').toString('hex'), responseIsBinary: true })
    expect(plain).toMatchObject({ response: 'sunny\n21' })
    const binary = toNock(everyShape)[4]!
    expect(binary).toMatchObject({ response: '89504e4700c8', responseIsBinary: true, status: 201 })
  })
})

describe('fromNock', () => {
  test('reads what nock.recorder writes (output_objects)', () => {
    const cassette = fromNock([
      {
        scope: 'https://api.openai.com:443',
        method: 'POST',
        path: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
        status: 200,
        response: { id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] },
        rawHeaders: { 'Content-Type': 'application/json', 'Content-Length': '120', Connection: 'keep-alive' },
        reqheaders: { authorization: 'Bearer [REDACTED]', 'content-type': 'application/json' },
        responseIsBinary: false,
      },
    ])
    expect(cassette.interactions).toEqual([
      {
        request: {
          method: 'POST',
          url: 'https://api.openai.com/v1/chat/completions',
          headers: { authorization: 'Bearer [REDACTED]', 'content-type': 'application/json' },
          body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } },
        },
        response: {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: { json: { id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] } },
        },
      },
    ])
  })

  test('JSON strings, hex bytes, gzip chunks, event streams, the old raw header list and `reply`', () => {
    const sse = 'data: {"a":1}\n\ndata: [DONE]\n\n'
    const gzipped = gzipSync(Buffer.from('{"zipped":true}')).toString('hex')
    const cassette = fromNock([
      { scope: 'http://localhost', port: 8080, method: 'get', path: '/json', response: '{"ok":true}' },
      { scope: 'http://localhost:8080', method: 'GET', path: '/bin', response: '00ff', responseIsBinary: true, rawHeaders: ['Content-Type', 'application/octet-stream'] },
      { scope: 'http://localhost:8080', method: 'GET', path: '/gz', response: [gzipped.slice(0, 10), gzipped.slice(10)], rawHeaders: { 'content-encoding': 'gzip', 'content-type': 'application/json' } },
      { scope: 'http://localhost:8080', method: 'POST', path: '/sse', body: 'raw text', reply: '201', response: sse, headers: { 'content-type': 'text/event-stream' } },
    ])
    const [json, bin, gz, stream] = cassette.interactions
    expect(json!.request.url).toBe('http://localhost:8080/json')
    // nock sends a JSON-looking string as JSON, with this content type.
    expect(json!.response).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: { json: { ok: true } } })
    expect(bin!.response!.body).toEqual({ base64: Buffer.from([0, 255]).toString('base64') })
    expect(gz!.response).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: { json: { zipped: true } } })
    expect(stream!.request.body).toEqual({ text: 'raw text' })
    expect(stream!.response).toEqual({ status: 201, headers: { 'content-type': 'text/event-stream' }, body: { sse: [{ t: 0, data: { a: 1 } }, { t: 0, text: '[DONE]' }] } })
  })

  test('toNock then fromNock keeps what replay serves', () => {
    const back = fromNock(JSON.parse(JSON.stringify(toNock({ version: 1, interactions: [jsonChat, textResponse] }))))
    expect(back.interactions[0]!.response!.body).toEqual(jsonChat.response!.body)
    expect(back.interactions[0]!.request.body).toEqual(jsonChat.request.body)
    expect(back.interactions[1]!.response!.body).toEqual(textResponse.response!.body)
  })

  test('malformed definitions name the field', () => {
    expect(() => fromNock({ scope: 'x' }, { source: 'defs.json' })).toThrow(/defs\.json is not usable as nock definitions: \$: .*array/)
    expect(() => fromNock([{ scope: 'https://a.example', path: '/' }], { source: 'defs.json' })).toThrow(/\$\[0\]\.method: /)
    expect(() => fromNock([{ scope: 'https://a.example', method: 'GET', path: '/', reply: 'ok' }])).toThrow(/\$\[0\]\.reply: "ok" is not a status code/)
    expect(() => fromNock([{ scope: 'https://a.example', method: 'GET', path: '/', response: 'zz', responseIsBinary: true }])).toThrow(InteropInputError)
  })
})
