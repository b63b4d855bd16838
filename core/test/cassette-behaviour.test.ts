import { readFileSync, writeFileSync } from 'node:fs'
import OpenAI from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findSecrets, readCassetteFile } from '@retrace/cassettes'
import { startFakeProvider, type FakeProvider } from '@retrace/fake-provider'
import {
  CassetteFormatError,
  CassetteMismatchError,
  CassetteMissingError,
  EgressBlockedError,
  RetraceConfigError,
  startCassette,
  withCassette,
} from '../src/index.ts'
import { FAKE_KEYS } from './provider-scenarios.ts'
import { tempCassettePath } from '../../test-support/temp-dir.ts'

let provider: FakeProvider
beforeAll(async () => {
  let answer = 0
  provider = await startFakeProvider({
    // Identical questions get different answers, so replay order is observable.
    respond: (request) => (request.lastUserText.startsWith('count') ? { text: `answer ${++answer}` } : undefined),
  })
})
afterAll(() => provider.stop())

const client = (fetchOption?: typeof fetch) =>
  new OpenAI({ apiKey: FAKE_KEYS.openai, baseURL: provider.openaiBaseURL, maxRetries: 0, ...(fetchOption ? { fetch: fetchOption } : {}) })
const ask = async (openai: OpenAI, content: string) =>
  (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] })).choices[0]!.message.content

async function record(file: string, run: (openai: OpenAI) => Promise<unknown>): Promise<unknown> {
  const cassette = startCassette(file, { mode: 'record' })
  const result = await run(client(cassette.fetch))
  await cassette.stop()
  return result
}

describe('replay order', () => {
  test('identical repeated requests are served in recorded order', async () => {
    const file = tempCassettePath()
    const recorded = await record(file, async (openai) => [await ask(openai, 'count please'), await ask(openai, 'count please')])
    const before = provider.requestCount
    const cassette = startCassette(file, { mode: 'replay' })
    const openai = client(cassette.fetch)
    expect([await ask(openai, 'count please'), await ask(openai, 'count please')]).toEqual(recorded)
    // A third identical call was never recorded: fail-closed, not a silent repeat.
    const third = await ask(openai, 'count please').catch((error: unknown) => error)
    expect(third).toBeInstanceOf(CassetteMismatchError)
    expect((third as CassetteMismatchError).reason).toBe('exhausted')
    await cassette.stop()
    expect(provider.requestCount).toBe(before)
  })

  test('concurrent requests match whatever order they arrive in', async () => {
    const file = tempCassettePath()
    const questions = ['one in Paris', 'two in Rome', 'three in Oslo']
    const recorded = await record(file, (openai) => Promise.all(questions.map((q) => ask(openai, q))))
    const cassette = startCassette(file, { mode: 'replay' })
    const openai = client(cassette.fetch)
    const replayed = await Promise.all([...questions].reverse().map((q) => ask(openai, q)))
    await cassette.stop()
    expect(replayed.reverse()).toEqual(recorded)
  })

  test('allowPlaybackRepeats serves the last recorded answer again', async () => {
    const file = tempCassettePath()
    await record(file, async (openai) => ask(openai, 'count again'))
    const cassette = startCassette(file, { mode: 'replay', allowPlaybackRepeats: true })
    const openai = client(cassette.fetch)
    const [a, b] = [await ask(openai, 'count again'), await ask(openai, 'count again')]
    await cassette.stop()
    expect(b).toBe(a)
  })
})

describe('fail-closed replay', () => {
  test('a changed prompt throws CassetteMismatchError through the SDK, naming the step and the change', async () => {
    const file = tempCassettePath()
    await record(file, async (openai) => [await ask(openai, 'Book me a flight to Paris'), await ask(openai, 'Thanks')])
    const before = provider.requestCount
    const cassette = startCassette(file, { mode: 'replay' })
    const error = await ask(client(cassette.fetch), 'Book me a flight to Rome').catch((e: unknown) => e)
    await cassette.stop()
    expect(error).toBeInstanceOf(CassetteMismatchError)
    const message = (error as Error).message
    expect(message).toContain('interaction #1 (step 1)')
    expect(message).toContain('$.messages[0].content: Book me a flight to [-Paris-]{+Rome+}')
    expect(message).toContain('RETRACE_MODE=record')
    expect(provider.requestCount).toBe(before)
  })

  test('plain fetch gets a rejected promise with the same error', async () => {
    const file = tempCassettePath()
    await record(file, async (openai) => ask(openai, 'hello'))
    const cassette = startCassette(file, { mode: 'replay' })
    const request = fetch(`${provider.openaiBaseURL}/chat/completions`, { method: 'POST', body: '{"model":"x","messages":[]}', headers: { 'content-type': 'application/json' } })
    await expect(request).rejects.toBeInstanceOf(CassetteMismatchError)
    await cassette.stop()
  })

  test('a host the cassette never saw is blocked unless allowed', async () => {
    const other = await startFakeProvider()
    try {
      const file = tempCassettePath()
      await record(file, async (openai) => ask(openai, 'hello'))
      const elsewhere = `http://example.invalid/v1/models`
      const cassette = startCassette(file, { mode: 'replay' })
      await expect(fetch(elsewhere)).rejects.toBeInstanceOf(EgressBlockedError)
      await cassette.stop()

      const allowing = startCassette(file, { mode: 'replay', allowHosts: ['localhost'] })
      const live = await fetch(`${other.url}/v1/unknown-route`)
      expect(live.status).toBe(404)
      expect(other.requestCount).toBe(1)
      await allowing.stop()
    } finally {
      await other.stop()
    }
  })

  test('withCassette fails even when the agent swallowed the refusal', async () => {
    const file = tempCassettePath()
    await record(file, async (openai) => ask(openai, 'hello'))
    const run = withCassette(file, { mode: 'replay' }, async (cassette) => {
      try {
        await ask(client(cassette.fetch), 'something else')
      } catch {
        return 'the agent carried on'
      }
    })
    await expect(run).rejects.toBeInstanceOf(CassetteMismatchError)
  })
})

describe('modes and configuration', () => {
  test('replay of a missing cassette throws CassetteMissingError', () => {
    expect(() => startCassette(tempCassettePath(), { mode: 'replay' })).toThrow(CassetteMissingError)
  })

  test('auto records when missing, replays when present, and never records under CI', async () => {
    const file = tempCassettePath()
    const saved = process.env.CI
    try {
      process.env.CI = 'true'
      expect(() => startCassette(file)).toThrow(/under CI.*never records/s)
      delete process.env.CI
      const first = startCassette(file)
      expect(first.mode).toBe('record')
      await ask(client(first.fetch), 'hello auto')
      await first.stop()
      process.env.CI = '1'
      const second = startCassette(file)
      expect(second.mode).toBe('replay')
      await second.stop()
    } finally {
      if (saved === undefined) delete process.env.CI
      else process.env.CI = saved
    }
  })

  test('RETRACE_MODE overrides the option, and a bad value names the variable', async () => {
    const file = tempCassettePath()
    process.env.RETRACE_MODE = 'passthrough'
    try {
      const cassette = startCassette(file, { mode: 'replay' })
      expect(cassette.mode).toBe('passthrough')
      await cassette.stop()
      process.env.RETRACE_MODE = 'replya'
      expect(() => startCassette(file)).toThrow(RetraceConfigError)
      expect(() => startCassette(file)).toThrow(/RETRACE_MODE/)
    } finally {
      delete process.env.RETRACE_MODE
    }
  })

  test('an unknown or mistyped option is a RetraceConfigError naming the field', () => {
    expect(() => startCassette(tempCassettePath(), { mode: 'replya' as never })).toThrow(/Invalid mode/)
    expect(() => startCassette(tempCassettePath(), { ignorPaths: [] } as never)).toThrow(/unknown option\(s\) ignorPaths/)
  })

  test('a corrupt cassette is reported with its path and left untouched, in every mode', () => {
    const file = tempCassettePath()
    writeFileSync(file, '{"version": 1, "interactions": [')
    for (const mode of ['replay', 'record', 'auto'] as const) {
      expect(() => startCassette(file, { mode })).toThrow(CassetteFormatError)
    }
    expect(() => startCassette(file, { mode: 'replay' })).toThrow(file)
    expect(readFileSync(file, 'utf8')).toBe('{"version": 1, "interactions": [')
  })

  test('passthrough neither records nor replays', async () => {
    const file = tempCassettePath()
    const before = provider.requestCount
    const cassette = startCassette(file, { mode: 'passthrough' })
    await ask(client(cassette.fetch), 'hello live')
    const summary = await cassette.stop()
    expect(summary.written).toBe(false)
    expect(readCassetteFile(file)).toBeUndefined()
    expect(provider.requestCount).toBe(before + 1)
  })
})

describe('what is stored', () => {
  test('re-recording an unchanged run gives a byte-identical file', async () => {
    const file = tempCassettePath()
    const run = async (openai: OpenAI) => {
      const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }]
      const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
      const call = first.choices[0]!.message.tool_calls![0]!
      messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'sunny' })
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, stream: true })
      for await (const _chunk of stream);
    }
    await record(file, run)
    const first = readFileSync(file, 'utf8')
    await record(file, run)
    expect(readFileSync(file, 'utf8')).toBe(first)
  })

  test('no secret reaches the file: headers, query keys, and secrets inside bodies', async () => {
    const file = tempCassettePath()
    const cassette = startCassette(file, { mode: 'record', redact: [{ path: '$.metadata.email' }] })
    await client(cassette.fetch).chat.completions.create({
      model: 'gpt-4o-mini',
      metadata: { email: 'jane@example.com' },
      messages: [{ role: 'user', content: `my other key is ${FAKE_KEYS.anthropic}, keep it safe` }],
    })
    const gemini = await fetch(`${provider.geminiBaseURL}/v1beta/models/gemini-2.5-flash:generateContent?key=${FAKE_KEYS.gemini}`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    })
    expect(gemini.status).toBe(200)
    await cassette.stop()
    const text = readFileSync(file, 'utf8')
    for (const key of Object.values(FAKE_KEYS)) expect(text).not.toContain(key)
    expect(text).not.toContain('jane@example.com')
    expect(findSecrets(JSON.parse(text))).toEqual([])
    const stored = readCassetteFile(file)!
    expect(stored.interactions[0]!.request.headers.authorization).toBe('[REDACTED]')
    expect(stored.interactions[1]!.request.url).toContain('key=[REDACTED]')
    expect(JSON.stringify(stored.interactions[0]!.request.body)).toContain('my other key is [REDACTED:anthropic-key], keep it safe')

    // The redacted cassette still matches the live (secret-bearing) requests on replay.
    const replay = startCassette(file, { mode: 'replay', redact: [{ path: '$.metadata.email' }] })
    await client(replay.fetch).chat.completions.create({
      model: 'gpt-4o-mini',
      metadata: { email: 'someone-else@example.com' },
      messages: [{ role: 'user', content: `my other key is ${FAKE_KEYS.anthropic}, keep it safe` }],
    })
    await replay.stop()
    expect(replay.mismatches).toEqual([])
  })

  test('gzip bodies are stored decoded, as structured JSON', async () => {
    const zipped = await startFakeProvider({ gzip: true })
    try {
      const file = tempCassettePath()
      const cassette = startCassette(file, { mode: 'record' })
      const openai = new OpenAI({ apiKey: FAKE_KEYS.openai, baseURL: zipped.openaiBaseURL, maxRetries: 0 })
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'zip it' }] })
      await cassette.stop()
      const interaction = readCassetteFile(file)!.interactions[0]!
      expect(interaction.response!.body).toEqual({ json: expect.objectContaining({ object: 'chat.completion' }) })
      expect(interaction.response!.headers['content-encoding']).toBeUndefined()
    } finally {
      await zipped.stop()
    }
  })

  test('binary bodies are stored as base64 and replayed byte for byte', async () => {
    const bytes = new Uint8Array([0, 255, 1, 254, 137, 80, 78, 71])
    const { createServer } = await import('node:http')
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(bytes))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/logo.png`
    try {
      const file = tempCassettePath()
      const recording = startCassette(file, { mode: 'record' })
      await (await fetch(url)).arrayBuffer()
      await recording.stop()
      expect(readCassetteFile(file)!.interactions[0]!.response!.body).toEqual({ base64: Buffer.from(bytes).toString('base64') })
      server.close()
      const replay = startCassette(file, { mode: 'replay' })
      expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(bytes)
      await replay.stop()
    } finally {
      server.close()
    }
  })
})

describe('streams cut short', () => {
  test('a stream the caller aborts is recorded as aborted and replays the same way', async () => {
    // Paced like a real model, so the abort lands mid-stream rather than after a single burst.
    const paced = await startFakeProvider({ eventDelayMs: 5 })
    const file = tempCassettePath()
    const readTwo = async (anthropic: Anthropic) => {
      const controller = new AbortController()
      const stream = await anthropic.messages.create(
        { model: 'claude-haiku-4-5', max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'Write a long story about the sea and ships and storms' }] },
        { signal: controller.signal },
      )
      const seen: string[] = []
      try {
        for await (const event of stream) {
          seen.push(event.type)
          if (seen.length === 4) controller.abort()
        }
      } catch (error) {
        seen.push(`error:${(error as Error).name}`)
      }
      return seen
    }
    const anthropicClient = (fetchOption: typeof fetch) => new Anthropic({ apiKey: FAKE_KEYS.anthropic, baseURL: paced.anthropicBaseURL, maxRetries: 0, fetch: fetchOption })
    const recording = startCassette(file, { mode: 'record' })
    const recorded = await readTwo(anthropicClient(recording.fetch))
    await recording.stop()
    await paced.stop()
    // The SDK ends iteration quietly on a user abort.
    expect(recorded).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta'])
    const interaction = readCassetteFile(file)!.interactions[0]!
    expect(interaction.response!.end?.outcome).toBe('aborted')
    expect(interaction.step?.complete).toBe(false)

    const replay = startCassette(file, { mode: 'replay' })
    expect(await readTwo(anthropicClient(replay.fetch))).toEqual(recorded)

    // A caller that no longer aborts still sees the stream end where the recording did.
    const stream = await anthropicClient(replay.fetch).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 200,
      stream: true,
      messages: [{ role: 'user', content: 'Write a long story about the sea and ships and storms' }],
    })
    await expect((async () => {
      for await (const _event of stream);
    })()).rejects.toThrow()
    await replay.stop()
  })

  test('an upstream error mid-stream is recorded and replayed as the same error', async () => {
    const file = tempCassettePath()
    const consume = async (openai: OpenAI) => {
      const deltas: string[] = []
      try {
        const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'break [[fake:abort-after-3]] now' }] })
        for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '')
      } catch (error) {
        deltas.push(`error: ${(error as Error).message}`)
      }
      return deltas
    }
    const recorded = await record(file, consume)
    expect(recorded).toEqual(expect.arrayContaining([expect.stringMatching(/^error: /)]))
    expect(readCassetteFile(file)!.interactions[0]!.response!.end?.outcome).toBe('error')
    const replay = startCassette(file, { mode: 'replay' })
    expect(await consume(client(replay.fetch))).toEqual(recorded)
    await replay.stop()
  })
})

describe('streams and steps', () => {
  test('SSE replays event by event: instantly by default, at the recorded pace with timing: recorded', async () => {
    const paced = await startFakeProvider({ eventDelayMs: 25 })
    const file = tempCassettePath()
    const read = async (fetchOption: typeof fetch) => {
      const response = await fetchOption(`${paced.openaiBaseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${FAKE_KEYS.openai}` },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'one two three four five six' }] }),
      })
      const chunks: string[] = []
      const decoder = new TextDecoder()
      for await (const chunk of response.body!) chunks.push(decoder.decode(chunk))
      return chunks
    }
    try {
      const recording = startCassette(file, { mode: 'record' })
      await read(recording.fetch)
      await recording.stop()
    } finally {
      await paced.stop()
    }
    const events = readCassetteFile(file)!.interactions[0]!.response!.body as { sse: Array<{ t: number; data?: { choices?: unknown[] } }> }
    const recordedSpan = events.sse.at(-1)!.t
    // The usage-only chunk was asked for by the recorder, not by this caller: replay hides it.
    const callerEvents = events.sse.filter((event) => event.data?.choices?.length !== 0)
    expect(callerEvents).toHaveLength(events.sse.length - 1)
    expect(recordedSpan).toBeGreaterThanOrEqual(150)

    const timed = async (options: Parameters<typeof startCassette>[1]) => {
      const cassette = startCassette(file, options)
      const started = performance.now()
      const chunks = await read(cassette.fetch)
      const elapsed = performance.now() - started
      await cassette.stop()
      return { chunks, elapsed }
    }
    const instant = await timed({ mode: 'replay' })
    const recorded = await timed({ mode: 'replay', timing: 'recorded' })
    const fast = await timed({ mode: 'replay', timing: 'recorded', speed: 5 })
    // One chunk per recorded event, whatever the pace.
    expect(instant.chunks).toHaveLength(callerEvents.length)
    expect(instant.chunks.every((chunk) => chunk.endsWith('\n\n'))).toBe(true)
    expect(recorded.chunks).toEqual(instant.chunks)
    expect(instant.elapsed).toBeLessThan(recordedSpan / 2)
    expect(recorded.elapsed).toBeGreaterThanOrEqual(recordedSpan * 0.9)
    expect(fast.elapsed).toBeLessThan(recorded.elapsed)
  })

  test('a streamed OpenAI call records its usage, and the caller never sees the usage chunk', async () => {
    const file = tempCassettePath()
    const consume = async (openai: OpenAI) => {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'count my tokens' }] })
      const chunks = []
      for await (const chunk of stream) chunks.push(chunk)
      return chunks
    }
    const recordedChunks = (await record(file, consume)) as OpenAI.ChatCompletionChunk[]
    expect(recordedChunks.every((chunk) => chunk.choices.length > 0)).toBe(true)
    const interaction = readCassetteFile(file)!.interactions[0]!
    // The stored request is the caller's own (no stream_options), the usage is real.
    expect(JSON.stringify(interaction.request.body)).not.toContain('stream_options')
    expect(interaction.step!.usage!.inputTokens).toBeGreaterThan(0)
    expect(interaction.step!.usage!.outputTokens).toBeGreaterThan(0)
    expect(interaction.step!.costUsd).toBeGreaterThan(0)
    const replay = startCassette(file, { mode: 'replay' })
    expect(await consume(client(replay.fetch))).toEqual(recordedChunks)
    await replay.stop()
  })

  test('steps carry every input message, the tools, and multi-block Anthropic output whole', async () => {
    const scripted = await startFakeProvider({
      respond: () => ({ thinking: 'The user wants weather.', text: 'Let me check.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }),
    })
    try {
      const file = tempCassettePath()
      const cassette = startCassette(file, { mode: 'record' })
      const anthropic = new Anthropic({ apiKey: FAKE_KEYS.anthropic, baseURL: scripted.anthropicBaseURL, maxRetries: 0, fetch: cassette.fetch })
      const stream = await anthropic.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        stream: true,
        system: 'You are a weather bot.',
        thinking: { type: 'enabled', budget_tokens: 512 },
        tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      })
      for await (const _event of stream);
      const [step] = cassette.steps()
      await cassette.stop()
      expect(step!.input.map((message) => message.role)).toEqual(['system', 'user'])
      expect(step!.tools.map((tool) => tool.name)).toEqual(['get_weather'])
      expect(step!.output.map((part) => part.type)).toEqual(['reasoning', 'text', 'tool_call'])
      expect(step!.output[2]).toMatchObject({ type: 'tool_call', name: 'get_weather', arguments: { city: 'Paris' } })
      expect(step!.finishReason).toBe('tool_calls')
      expect(step!.streamed).toBe(true)
      expect(readCassetteFile(file)!.interactions[0]!.step!.output).toEqual(step!.output)
    } finally {
      await scripted.stop()
    }
  })
})
