import OpenAI from 'openai'
import { startCassette } from '@retrace/core'
import { startFakeProvider } from '@retrace/fake-provider'

// Built at run time so no secret-shaped literal is committed; it must never reach a file.
export const TEST_KEY = 'sk-' + 'proj-' + 'T3st'.repeat(12)

/** What the SDK parsed from one agent run: a tool loop (JSON) and a stream. */
export interface OpenAiRunResult {
  first: OpenAI.ChatCompletion
  second: OpenAI.ChatCompletion
  chunks: OpenAI.ChatCompletionChunk[]
}

/**
 * A small agent run with the real OpenAI SDK: a tool call, its follow-up, then a stream.
 *
 * @example
 * const result = await openAiRun(new OpenAI({ apiKey: TEST_KEY, baseURL }))
 */
export async function openAiRun(client: OpenAI): Promise<OpenAiRunResult> {
  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
  ]
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a weather bot.' },
    { role: 'user', content: 'What is the weather in Paris?' },
  ]
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
  const call = first.choices[0]!.message.tool_calls![0]!
  messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' })
  const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Tell me about streaming in Lisbon' }] })
  const chunks: OpenAI.ChatCompletionChunk[] = []
  for await (const chunk of stream) chunks.push(chunk)
  return { first, second, chunks }
}

/**
 * Records {@link openAiRun} against the fake provider into `file`, then stops the provider:
 * anything after this can only be answered from a recording.
 *
 * @example
 * const { baseURL, recorded } = await recordOpenAiRun(tempCassettePath())
 */
export async function recordOpenAiRun(file: string): Promise<{ baseURL: string; recorded: OpenAiRunResult }> {
  const provider = await startFakeProvider({ eventDelayMs: 2 })
  try {
    const cassette = startCassette(file, { mode: 'record' })
    const client = new OpenAI({ apiKey: TEST_KEY, baseURL: provider.openaiBaseURL, maxRetries: 0, fetch: cassette.fetch })
    const recorded = await openAiRun(client)
    await cassette.stop()
    return { baseURL: provider.openaiBaseURL, recorded }
  } finally {
    await provider.stop()
  }
}

/**
 * Runs {@link openAiRun} again, replaying `file` (nothing can reach the network).
 *
 * @example
 * const replayed = await replayOpenAiRun(file, baseURL)
 */
export async function replayOpenAiRun(file: string, baseURL: string): Promise<OpenAiRunResult> {
  const cassette = startCassette(file, { mode: 'replay' })
  try {
    return await openAiRun(new OpenAI({ apiKey: TEST_KEY, baseURL, maxRetries: 0, fetch: cassette.fetch }))
  } finally {
    await cassette.stop()
    if (cassette.mismatches.length > 0) throw cassette.mismatches[0]
  }
}
