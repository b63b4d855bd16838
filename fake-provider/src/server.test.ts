import { request as httpRequest, Agent } from 'node:http'
import { gunzipSync } from 'node:zlib'

import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { startFakeProvider, type FakeProvider, type FakeProviderRequest } from './index.ts'

let provider: FakeProvider

beforeAll(async () => {
  provider = await startFakeProvider()
})
afterAll(() => provider.stop())

const chatBody = (content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra })

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  return { status: response.status, json: await response.json(), headers: response.headers }
}

/** The raw bytes of a response, without any client-side decompression. */
function rawResponse(url: string, body: string, headers: Record<string, string>): Promise<{ headers: Record<string, unknown>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ headers: res.headers, bytes: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

test('exposes base URLs for each SDK', () => {
  expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(provider.openaiBaseURL).toBe(`${provider.url}/v1`)
  expect(provider.anthropicBaseURL).toBe(provider.url)
  expect(provider.geminiBaseURL).toBe(provider.url)
})

test('counts and records requests until reset()', async () => {
  provider.reset()
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one' }] })
  await fetch(`${provider.url}/v1/unknown?x=1`)
  expect(provider.requestCount).toBe(2)
  expect(provider.requests[0]).toMatchObject({
    method: 'POST',
    path: '/v1/chat/completions',
    query: {},
    headers: { authorization: 'Bearer sk-test' },
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one' }] },
  })
  expect(provider.requests[1]).toMatchObject({ method: 'GET', path: '/v1/unknown', query: { x: '1' }, body: undefined })
  provider.reset()
  expect(provider.requestCount).toBe(0)
  expect(provider.requests).toEqual([])
})

test('401 without credentials, in each provider’s error shape', async () => {
  const openaiFailure = await post(`${provider.openaiBaseURL}/chat/completions`, chatBody('hi'))
  expect(openaiFailure.status).toBe(401)
  expect(openaiFailure.json).toEqual({
    error: { message: expect.stringContaining('API key'), type: 'invalid_request_error', param: null, code: null },
  })

  const anthropicFailure = await post(`${provider.url}/v1/messages`, '{}', { 'anthropic-version': '2023-06-01' })
  expect(anthropicFailure.status).toBe(401)
  expect(anthropicFailure.json).toEqual({
    type: 'error',
    error: { type: 'authentication_error', message: 'x-api-key header is required' },
    request_id: anthropicFailure.headers.get('request-id'),
  })

  const geminiFailure = await post(`${provider.url}/v1beta/models/gemini-2.5-flash:generateContent`, '{}')
  expect(geminiFailure.status).toBe(401)
  expect(geminiFailure.json).toEqual({ error: { code: 401, message: expect.any(String), status: 'UNAUTHENTICATED' } })

  // Through a real SDK: the error class is the one an application would catch.
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0, defaultHeaders: { authorization: null } })
  await expect(
    openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  ).rejects.toBeInstanceOf(OpenAI.AuthenticationError)
})

test('requireAuth: false accepts calls without credentials', async () => {
  const open = await startFakeProvider({ requireAuth: false })
  try {
    const { status, json } = await post(`${open.openaiBaseURL}/chat/completions`, chatBody('no key'))
    expect(status).toBe(200)
    expect(json).toMatchObject({ choices: [{ message: { content: 'You said: no key' } }] })
  } finally {
    await open.stop()
  }
})

test('400 on a malformed body, in each provider’s error shape, without crashing', async () => {
  const openaiFailure = await post(`${provider.openaiBaseURL}/responses`, '{"model": ', { authorization: 'Bearer k' })
  expect(openaiFailure.status).toBe(400)
  expect(openaiFailure.json).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('JSON') } })

  const anthropicFailure = await post(`${provider.url}/v1/messages`, 'not json', { 'x-api-key': 'k' })
  expect(anthropicFailure.status).toBe(400)
  expect(anthropicFailure.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } })

  const missingModel = await post(`${provider.url}/v1/messages`, JSON.stringify({ messages: [], max_tokens: 5 }), { 'x-api-key': 'k' })
  expect(missingModel.json).toMatchObject({ error: { type: 'invalid_request_error', message: 'model: Field required' } })

  const geminiFailure = await post(`${provider.url}/v1beta/models/m:generateContent`, '[1,2]', { 'x-goog-api-key': 'k' })
  expect(geminiFailure.status).toBe(400)
  expect(geminiFailure.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })

  const missingContents = await post(`${provider.url}/v1beta/models/m:generateContent`, '{}', { 'x-goog-api-key': 'k' })
  expect(missingContents.json).toMatchObject({ error: { code: 400, message: expect.stringContaining('contents') } })

  const stillAlive = await post(`${provider.openaiBaseURL}/chat/completions`, chatBody('alive?'), { authorization: 'Bearer k' })
  expect(stillAlive.status).toBe(200)
})

test('404 JSON on unknown routes', async () => {
  const openaiMiss = await post(`${provider.url}/v1/embeddings`, '{}', { authorization: 'Bearer k' })
  expect(openaiMiss.status).toBe(404)
  expect(openaiMiss.json).toMatchObject({ error: { message: 'Invalid URL (POST /v1/embeddings)', type: 'invalid_request_error' } })

  const anthropicMiss = await post(`${provider.url}/v1/complete`, '{}', { 'x-api-key': 'k' })
  expect(anthropicMiss.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })

  const wrongMethod = await fetch(`${provider.openaiBaseURL}/chat/completions`)
  expect(wrongMethod.status).toBe(404)
})

test('gzip: JSON and SSE bodies are compressed when accepted, and SDKs read them', async () => {
  const zipped = await startFakeProvider({ gzip: true })
  try {
    const headers = { authorization: 'Bearer k', 'accept-encoding': 'gzip', 'content-type': 'application/json' }
    const json = await rawResponse(`${zipped.openaiBaseURL}/chat/completions`, chatBody('Zip it'), headers)
    expect(json.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(json.bytes).toString())).toMatchObject({ choices: [{ message: { content: 'You said: Zip it' } }] })

    const sse = await rawResponse(`${zipped.openaiBaseURL}/chat/completions`, chatBody('Zip it', { stream: true }), headers)
    expect(sse.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(sse.bytes).toString()).toMatch(/data: \[DONE\]\n\n$/)

    const plain = await rawResponse(`${zipped.openaiBaseURL}/chat/completions`, chatBody('No zip'), { authorization: 'Bearer k' })
    expect(plain.headers['content-encoding']).toBeUndefined()

    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: zipped.openaiBaseURL, maxRetries: 0 })
    const completion = await openai.chat.completions
      .stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Zipped stream' }] })
      .finalChatCompletion()
    expect(completion.choices[0]?.message.content).toBe('You said: Zipped stream')

    // The fault still delivers exactly the events written before the cut.
    const received: string[] = []
    const cut = async (): Promise<void> => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'a b c d [[fake:abort-after-3]]' }],
        stream: true,
      })
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '')
    }
    await expect(cut()).rejects.toThrow(/terminated/)
    expect(received).toEqual(['', 'You ', 'said: '])

    const anthropic = new Anthropic({ apiKey: 'k', baseURL: zipped.anthropicBaseURL, maxRetries: 0 })
    const message = await anthropic.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Zipped' }] })
      .finalMessage()
    expect(message.content).toEqual([{ type: 'text', text: 'You said: Zipped' }])
  } finally {
    await zipped.stop()
  }
})

test('gzip with eventDelayMs: every SSE event is flushed as it is written', async () => {
  const slow = await startFakeProvider({ gzip: true, eventDelayMs: 15 })
  try {
    const started = Date.now()
    const response = await fetch(`${slow.openaiBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'accept-encoding': 'gzip' },
      body: chatBody('one two three four five six', { stream: true }),
    })
    expect(response.headers.get('content-encoding')).toBe('gzip')
    const reader = response.body!.getReader()
    const first = await reader.read()
    const firstEventAfter = Date.now() - started
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: \{/)
    while (!(await reader.read()).done) {
      // drain
    }
    const totalTime = Date.now() - started
    expect(firstEventAfter).toBeLessThan(totalTime - 100)
  } finally {
    await slow.stop()
  }
})

test('respond: scripts replies per request and sees the neutral request', async () => {
  const seen: FakeProviderRequest[] = []
  const scripted = await startFakeProvider({
    respond: (request) => {
      seen.push(request)
      return request.lastUserText === 'default please' ? undefined : { text: `scripted for ${request.provider}` }
    },
  })
  try {
    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: scripted.openaiBaseURL, maxRetries: 0 })
    const scriptedReply = await openai.responses.create({ model: 'gpt-4.1', input: 'anything', stream: false })
    expect(scriptedReply.output_text).toBe('scripted for openai-responses')
    const fallback = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'default please' },
      ],
      stream: true,
    })
    let text = ''
    for await (const chunk of fallback) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('You said: default please')
    expect(seen.map(({ provider, model, stream, lastUserText, messagesCount, path }) => ({ provider, model, stream, lastUserText, messagesCount, path }))).toEqual([
      { provider: 'openai-responses', model: 'gpt-4.1', stream: false, lastUserText: 'anything', messagesCount: 1, path: '/v1/responses' },
      { provider: 'openai-chat', model: 'gpt-4o', stream: true, lastUserText: 'default please', messagesCount: 3, path: '/v1/chat/completions' },
    ])
    expect(seen[0]?.headers['authorization']).toBe('Bearer sk-test')
  } finally {
    await scripted.stop()
  }
})

test('a throwing respond script becomes a 500 in the provider’s shape', async () => {
  const broken = await startFakeProvider({
    respond: () => {
      throw new Error('script bug')
    },
  })
  try {
    const { status, json } = await post(`${broken.url}/v1/messages`, JSON.stringify({ model: 'c', max_tokens: 5, messages: [] }), { 'x-api-key': 'k' })
    expect(status).toBe(500)
    expect(json).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('script bug') } })
  } finally {
    await broken.stop()
  }
})

test('abort-after on a JSON request truncates the body', async () => {
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
  await expect(
    openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cut [[fake:abort-after-1]]' }] }),
  ).rejects.toThrow(/terminated/)
})

test('stop() closes idle keep-alive sockets and in-flight streams promptly', async () => {
  const target = await startFakeProvider({ eventDelayMs: 5_000 })
  const agent = new Agent({ keepAlive: true })
  try {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${target.openaiBaseURL}/chat/completions`, { method: 'POST', agent, headers: { authorization: 'Bearer k' } }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end(chatBody('keep me alive'))
    })
    const stalled = fetch(`${target.openaiBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: chatBody('slow stream', { stream: true }),
    }).then((response) => response.text())

    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = Date.now()
    await target.stop()
    expect(Date.now() - started).toBeLessThan(500)
    await expect(stalled).rejects.toThrow()
  } finally {
    agent.destroy()
  }
})
