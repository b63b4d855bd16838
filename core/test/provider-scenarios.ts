import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI, Type } from '@google/genai'
import OpenAI from 'openai'
import type { FakeProvider } from '@retrace/fake-provider'

/** How a scenario's SDK client reaches the network: a fetch to hand it, or the global one. */
export type SdkFetch = typeof fetch | undefined

/** One SDK call (or tool loop), returning everything the SDK parsed, for deep comparison. */
export interface Scenario {
  name: string
  stream: boolean
  /** Gemini's SDK has no fetch option: it can only run over the global fetch. */
  needsGlobalFetch?: boolean
  run(provider: FakeProvider, fetchOption: SdkFetch): Promise<unknown>
}

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
}

// Keys are built at run time so no secret-shaped literal is committed; they must never
// reach a cassette.
export const FAKE_KEYS = {
  openai: 'sk-' + 'proj-' + 'T3st'.repeat(12),
  anthropic: 'sk-' + 'ant-api03-' + 'T3st'.repeat(12),
  gemini: 'AI' + 'za' + 'T3st'.repeat(8) + 'abc',
}

const openai = (provider: FakeProvider, fetchOption: SdkFetch) =>
  new OpenAI({ apiKey: FAKE_KEYS.openai, baseURL: provider.openaiBaseURL, maxRetries: 0, ...(fetchOption ? { fetch: fetchOption } : {}) })
const anthropic = (provider: FakeProvider, fetchOption: SdkFetch) =>
  new Anthropic({ apiKey: FAKE_KEYS.anthropic, baseURL: provider.anthropicBaseURL, maxRetries: 0, ...(fetchOption ? { fetch: fetchOption } : {}) })
const gemini = (provider: FakeProvider) => new GoogleGenAI({ apiKey: FAKE_KEYS.gemini, httpOptions: { baseUrl: provider.geminiBaseURL } })

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of stream) items.push(item)
  return items
}

export const scenarios: Scenario[] = [
  {
    name: 'openai chat completions',
    stream: false,
    async run(provider, fetchOption) {
      const client = openai(provider, fetchOption)
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'user', content: 'What is the weather in Paris?' },
      ]
      const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: weatherTool }]
      const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
      const call = first.choices[0]!.message.tool_calls![0]!
      messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' })
      const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
      return [first, second]
    },
  },
  {
    name: 'openai chat completions',
    stream: true,
    async run(provider, fetchOption) {
      const client = openai(provider, fetchOption)
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Tell me about streaming in Lisbon' }],
      })
      return collect(stream)
    },
  },
  {
    name: 'openai responses',
    stream: false,
    async run(provider, fetchOption) {
      const client = openai(provider, fetchOption)
      return client.responses.create({
        model: 'gpt-4.1-mini',
        instructions: 'Use tools.',
        input: 'What is the weather in Rome?',
        tools: [{ type: 'function', strict: false, ...weatherTool }],
      })
    },
  },
  {
    name: 'openai responses',
    stream: true,
    async run(provider, fetchOption) {
      const client = openai(provider, fetchOption)
      const stream = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Say hello to Oslo', stream: true })
      return collect(stream)
    },
  },
  {
    name: 'anthropic messages',
    stream: false,
    async run(provider, fetchOption) {
      const client = anthropic(provider, fetchOption)
      return client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 512,
        system: 'You are a weather bot.',
        messages: [{ role: 'user', content: 'What is the weather in Berlin?' }],
        tools: [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.parameters }],
      })
    },
  },
  {
    name: 'anthropic messages',
    stream: true,
    async run(provider, fetchOption) {
      const client = anthropic(provider, fetchOption)
      const stream = await client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        stream: true,
        thinking: { type: 'enabled', budget_tokens: 512 },
        messages: [{ role: 'user', content: 'Think about Madrid' }],
      })
      return collect(stream)
    },
  },
  {
    name: 'gemini generateContent',
    stream: false,
    needsGlobalFetch: true,
    async run(provider) {
      const response = await gemini(provider).models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'What is the weather in Tokyo?',
        config: {
          systemInstruction: 'You are a weather bot.',
          tools: [{ functionDeclarations: [{ name: weatherTool.name, description: weatherTool.description, parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } } } }] }],
        },
      })
      return { candidates: response.candidates, usage: response.usageMetadata, functionCalls: response.functionCalls, id: response.responseId }
    },
  },
  {
    name: 'gemini generateContent',
    stream: true,
    needsGlobalFetch: true,
    async run(provider) {
      const stream = await gemini(provider).models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream a hello to Cairo' })
      const chunks = await collect(stream)
      return chunks.map((chunk) => ({ text: chunk.text, usage: chunk.usageMetadata, finish: chunk.candidates?.[0]?.finishReason }))
    },
  },
]
