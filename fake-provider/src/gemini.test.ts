import { ApiError, GoogleGenAI, Type, type Content, type FunctionDeclaration, type GenerateContentResponse } from '@google/genai'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { startFakeProvider, type FakeProvider } from './index.ts'

let provider: FakeProvider
let gemini: GoogleGenAI

beforeAll(async () => {
  provider = await startFakeProvider()
  gemini = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: provider.geminiBaseURL } })
})
afterAll(() => provider.stop())

const functionDeclarations: FunctionDeclaration[] = [
  {
    name: 'find_flights',
    description: 'Search flights',
    // The OpenAPI-style schema, with Gemini's upper-case types.
    parameters: {
      type: Type.OBJECT,
      properties: { destination: { type: Type.STRING }, passengers: { type: Type.INTEGER } },
      required: ['destination'],
    },
  },
  {
    name: 'book_hotel',
    parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' }, nights: { type: 'number' } } },
  },
]

test('JSON: text, usage, finish reason and response metadata', async () => {
  const response = await gemini.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: 'Hello Gemini',
    config: { systemInstruction: 'Answer briefly.' },
  })
  expect(response.text).toBe('You said: Hello Gemini')
  expect(response.candidates?.[0]?.finishReason).toBe('STOP')
  expect(response.modelVersion).toBe('gemini-2.5-flash')
  expect(response.responseId).toMatch(/^[\w-]{20,}$/)
  expect(response.usageMetadata).toMatchObject({
    promptTokenCount: expect.any(Number),
    candidatesTokenCount: Math.ceil('You said: Hello Gemini'.length / 4),
  })
  expect(response.usageMetadata?.totalTokenCount).toBe(
    (response.usageMetadata?.promptTokenCount ?? 0) + (response.usageMetadata?.candidatesTokenCount ?? 0),
  )
  // @google/genai 3 defaults to the v1 API; v1beta is served the same way.
  expect(provider.requests.at(-1)?.path).toBe('/v1/models/gemini-2.5-flash:generateContent')
})

test('JSON: the v1beta API version and the key query parameter', async () => {
  const betaClient = new GoogleGenAI({
    apiKey: 'gemini-test-key',
    httpOptions: { baseUrl: provider.geminiBaseURL, apiVersion: 'v1beta' },
  })
  const response = await betaClient.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Beta?' })
  expect(response.text).toBe('You said: Beta?')
  expect(provider.requests.at(-1)?.path).toBe('/v1beta/models/gemini-2.5-pro:generateContent')

  const viaQuery = await fetch(`${provider.geminiBaseURL}/v1beta/models/gemini-2.5-pro:generateContent?key=k`, {
    method: 'POST',
    body: JSON.stringify({ contents: [{ parts: [{ text: 'Query key' }] }] }),
  })
  expect(viaQuery.status).toBe(200)
})

test('JSON: two-turn tool loop with functionCall and functionResponse parts', async () => {
  const config = { tools: [{ functionDeclarations }] }
  const contents: Content[] = [{ role: 'user', parts: [{ text: 'Use find flights to Tokyo for 2 people' }] }]
  const first = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents, config })
  expect(first.functionCalls?.map((call) => [call.name, call.args])).toEqual([
    ['find_flights', { destination: 'Tokyo', passengers: 2 }],
  ])

  contents.push(first.candidates![0]!.content!, {
    role: 'user',
    parts: [{ functionResponse: { name: 'find_flights', response: { flights: ['JL 42'] } } }],
  })
  const second = await gemini.models.generateContent({ model: 'gemini-2.5-flash', contents, config })
  expect(second.text).toBe('Based on find_flights: {"flights":["JL 42"]}')
  expect(second.functionCalls).toBeUndefined()
})

test('SSE: generateContentStream yields word chunks, usage, finish reason on the last', async () => {
  const chunks: GenerateContentResponse[] = []
  for await (const chunk of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream please' })) {
    chunks.push(chunk)
  }
  expect(chunks.map((chunk) => chunk.text).join('')).toBe('You said: Stream please')
  expect(chunks).toHaveLength(4)
  expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP')
  expect(chunks.slice(0, -1).every((chunk) => chunk.candidates?.[0]?.finishReason === undefined)).toBe(true)
  expect(chunks.every((chunk) => (chunk.usageMetadata?.promptTokenCount ?? 0) > 0)).toBe(true)
  expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0)
  expect(new Set(chunks.map((chunk) => chunk.responseId)).size).toBe(1)
  expect(provider.requests.at(-1)?.query).toEqual({ alt: 'sse' })
})

test('SSE: parallel function calls arrive whole, after the thoughts', async () => {
  const chunks: GenerateContentResponse[] = []
  const stream = await gemini.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: 'book hotel in Lisbon and find_flights there',
    config: { tools: [{ functionDeclarations }], thinkingConfig: { includeThoughts: true } },
  })
  for await (const chunk of stream) chunks.push(chunk)

  const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? [])
  const thought = parts.filter((part) => part.thought).map((part) => part.text).join('')
  expect(thought).toBe('Let me think about "book hotel in Lisbon and find_flights there".')
  expect(chunks.at(-1)?.functionCalls?.map((call) => [call.name, call.args])).toEqual([
    ['book_hotel', { city: 'Lisbon', nights: 1 }],
    ['find_flights', { destination: 'Lisbon', passengers: 1 }],
  ])
})

test('the abort-after fault surfaces as an error while iterating the stream', async () => {
  const stream = await gemini.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: 'A long story please [[fake:abort-after-3]]',
  })
  const texts: string[] = []
  const iterate = async (): Promise<void> => {
    for await (const chunk of stream) texts.push(chunk.text ?? '')
  }
  await expect(iterate()).rejects.toThrow(/terminated/)
  expect(texts).toEqual(['You ', 'said: ', 'A '])
})

test('status fault: 500 in the Gemini error shape', async () => {
  const failure = gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi [[fake:status-500]]' })
  await expect(failure).rejects.toBeInstanceOf(ApiError)
  await expect(failure).rejects.toMatchObject({ status: 500, message: expect.stringContaining('"status":"INTERNAL"') })
})

test('volatile ids differ between two identical requests', async () => {
  const request = { model: 'gemini-2.5-flash', contents: 'Same question' }
  const [first, second] = await Promise.all([gemini.models.generateContent(request), gemini.models.generateContent(request)])
  expect(first.responseId).not.toBe(second.responseId)
  expect(first.text).toBe(second.text)
})
