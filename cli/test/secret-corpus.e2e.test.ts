import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findSecrets, parseCassette, type Cassette, type JsonValue } from '@retrace/cassettes'
import { CassetteMismatchError, startCassette } from '@retrace/core'
import { startEchoServer, type EchoMode, type EchoServer } from '../../test-support/corpus-echo-server.ts'
import { LOOK_ALIKES, SECRET_SHAPES, type SecretShape } from '../../test-support/secret-corpus.ts'
import { bufferTerminal } from '../src/output/terminal.ts'
import { run } from '../src/program.ts'

// 30 fake secrets × up to 7 places a recording stores (request headers, query parameters, URL
// credentials and the error they cause, JSON bodies both ways, tool-call arguments, streamed
// deltas with the key split over events, error bodies, response headers): none may reach a
// cassette, every cassette still replays, and a secret planted by hand fails `retrace
// cassette lint` and `retrace ci replay` with exit 4. Then 48 harmless look-alikes must reach
// the cassette untouched and come back from replay exactly as the live run saw them.

let server: EchoServer
let dir: string

beforeAll(async () => {
  server = await startEchoServer()
  dir = mkdtempSync(join(tmpdir(), 'retrace-secret-corpus-'))
})
afterAll(() => server.stop())

const retrace = async (...args: string[]) => {
  const terminal = bufferTerminal()
  const code = await run(['node', 'retrace', ...args], terminal)
  return { code, output: terminal.stdout() + terminal.stderr() }
}

// The client reads the global fetch at call time, so the cassette's interception sees it.
const client = () => new OpenAI({ apiKey: 'fake-key', baseURL: server.baseURL, maxRetries: 0, fetch: (input, init) => fetch(input, init) })
const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, '-')

/** Sends `content` to the echo server in one mode and returns everything the agent saw. */
async function chat(content: string, mode: EchoMode): Promise<string[]> {
  const options = { headers: { 'x-corpus-mode': mode } }
  const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content }] }
  if (mode === 'stream') {
    let text = ''
    let args = ''
    for await (const chunk of await client().chat.completions.create({ ...params, stream: true }, options)) {
      text += chunk.choices[0]?.delta.content ?? ''
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? ''
    }
    return [text, args]
  }
  try {
    const completion = await client().chat.completions.create(params, options)
    const message = completion.choices[0]!.message
    return [message.content ?? '', ...(message.tool_calls ?? []).map((call) => (call.type === 'function' ? call.function.arguments : ''))]
  } catch (error) {
    return [(error as Error).message]
  }
}

async function echo(path: string, headers: Record<string, string> = {}): Promise<string[]> {
  try {
    const response = await fetch(`${path.startsWith('http') ? path : `http://127.0.0.1:${server.port}${path}`}`, { headers })
    return [await response.text(), response.headers.get('x-echo-note') ?? '']
  } catch (error) {
    return [(error as Error).message]
  }
}

/** The places one secret is sent through; each returns false when the shape cannot go there. */
const placements: Array<{ name: string; send: (shape: SecretShape) => Promise<unknown> | false }> = [
  { name: 'request header, echoed in the response header and body', send: (shape) => shape.singleLine && echo('/v1/echo', { [shape.header]: shape.value }) },
  { name: 'query parameter, echoed in the body', send: (shape) => echo(`/v1/echo?${shape.param}=${encodeURIComponent(shape.value)}`) },
  { name: 'URL credentials (stored URL and error message)', send: (shape) => echo(`http://deploy:${encodeURIComponent(shape.value)}@127.0.0.1:${server.port}/v1/echo`) },
  { name: 'JSON request and response bodies', send: (shape) => chat(shape.text, 'json') },
  { name: 'tool-call arguments', send: (shape) => chat(JSON.stringify({ [shape.field]: shape.value, note: shape.text }), 'tool') },
  { name: 'SSE events, the key split over deltas', send: (shape) => chat(shape.text, 'stream') },
  { name: 'error body', send: (shape) => chat(shape.text, 'error') },
]

async function sendAll(shape: SecretShape): Promise<number> {
  let sent = 0
  for (const placement of placements) {
    const pending = placement.send(shape)
    if (pending === false) continue
    await pending
    sent++
  }
  return sent
}

/** Every streamed content and tool-argument delta of a cassette, joined per interaction. */
function streamedTexts(cassette: Cassette): string[] {
  return cassette.interactions.flatMap((interaction) => {
    const body = interaction.response?.body
    if (!body || !('sse' in body)) return []
    let text = ''
    let args = ''
    for (const event of body.sse) {
      const choice = (event.data as { choices?: Array<{ delta?: { content?: string; tool_calls?: Array<{ function?: { arguments?: string } }> } }> } | undefined)?.choices?.[0]
      text += choice?.delta?.content ?? ''
      args += choice?.delta?.tool_calls?.[0]?.function?.arguments ?? ''
    }
    return [text, args]
  })
}

describe('30 secret shapes never reach a cassette', () => {
  test.each(SECRET_SHAPES.map((shape) => [shape.name, shape] as const))('%s', async (_name, shape) => {
    const file = join(dir, 'recorded', `${slug(shape.name)}.cassette.json`)
    const recording = startCassette(file, { mode: 'record' })
    const sent = await sendAll(shape)
    expect((await recording.stop()).written).toBe(true)
    expect(sent).toBeGreaterThanOrEqual(6)

    const text = readFileSync(file, 'utf8')
    const cassette = parseCassette(text, file)
    for (const form of [shape.value, encodeURIComponent(shape.value), JSON.stringify(shape.value).slice(1, -1)]) expect(text).not.toContain(form)
    for (const streamed of streamedTexts(cassette)) expect(streamed).not.toContain(shape.value)
    expect(findSecrets(cassette)).toEqual([])

    // Redaction is the same on both sides, so the run replays offline, request for request.
    const replaying = startCassette(file, { mode: 'replay' })
    await sendAll(shape)
    expect((await replaying.stop()).mismatches).toBe(0)

    // A request that no longer matches: the mismatch diff shows the change, not the key.
    const changed = startCassette(file, { mode: 'replay' })
    const refusal = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${shape.text} (changed)` }] }, { headers: { 'x-corpus-mode': 'json' } })
      .catch((error: unknown) => error)
    await changed.stop().catch(() => {})
    expect(refusal).toBeInstanceOf(CassetteMismatchError)
    expect((refusal as Error).message).toContain('(changed)')
    expect((refusal as Error).message).not.toContain(shape.value)
  })

  test('lint passes the recorded cassettes; a key planted by hand fails lint and ci replay with exit 4', async () => {
    const recorded = join(dir, 'recorded')
    expect((await retrace('cassette', 'lint', recorded)).code).toBe(0)

    const planted = join(dir, 'planted')
    mkdirSync(planted)
    for (const shape of SECRET_SHAPES) {
      const name = `${slug(shape.name)}.cassette.json`
      const cassette = JSON.parse(readFileSync(join(recorded, name), 'utf8')) as { interactions: Array<{ response?: { body?: { json?: { choices?: Array<{ message: { content: JsonValue } }> } } } }> }
      const answer = cassette.interactions.find((interaction) => typeof interaction.response?.body?.json?.choices?.[0]?.message.content === 'string')!
      answer.response!.body!.json!.choices![0]!.message.content = shape.text
      writeFileSync(join(planted, name), JSON.stringify(cassette, null, 2))
    }
    const lint = await retrace('cassette', 'lint', planted)
    expect(lint.code).toBe(4)
    expect(lint.output).toContain(`${SECRET_SHAPES.length} cassette(s) checked: ${SECRET_SHAPES.length} with a secret`)
    for (const shape of SECRET_SHAPES) expect(lint.output).not.toContain(shape.value)

    const gate = await retrace('ci', 'replay', '--cwd', planted, '--', process.execPath, '-e', '0')
    expect(gate.code).toBe(4)
    for (const shape of SECRET_SHAPES) expect(gate.output).not.toContain(shape.value)
  })
})

describe('48 harmless look-alikes are left alone', () => {
  const sendLookAlike = async (text: string) => [
    ...(await chat(text, 'json')),
    ...(await chat(JSON.stringify({ note: text }), 'tool')),
    ...(await chat(text, 'stream')),
    ...(await chat(text, 'error')),
    ...(await echo(`/v1/echo?note=${encodeURIComponent(text)}`)),
  ]

  test('they reach the cassette as they were, and replay serves the agent what the live run saw', async () => {
    const file = join(dir, 'harmless', 'look-alikes.cassette.json')
    const recording = startCassette(file, { mode: 'record' })
    const live: string[][] = []
    for (const text of LOOK_ALIKES) live.push(await sendLookAlike(text))
    await recording.stop()

    const stored = readFileSync(file, 'utf8')
    expect(stored).not.toContain('[REDACTED:')
    for (const text of LOOK_ALIKES) expect(stored).toContain(JSON.stringify(text).slice(1, -1))
    expect(findSecrets(parseCassette(stored, file))).toEqual([])
    expect(live.flat().join('\n')).not.toContain('[REDACTED')

    const replaying = startCassette(file, { mode: 'replay' })
    const replayed: string[][] = []
    for (const text of LOOK_ALIKES) replayed.push(await sendLookAlike(text))
    expect((await replaying.stop()).mismatches).toBe(0)
    expect(replayed).toEqual(live)
    expect((await retrace('cassette', 'lint', join(dir, 'harmless'))).code).toBe(0)
  })

  test('the corpus is as large as the issue asks', () => {
    expect(new Set(SECRET_SHAPES.map((shape) => shape.name)).size).toBeGreaterThanOrEqual(26)
    expect(new Set(LOOK_ALIKES).size).toBeGreaterThanOrEqual(38)
  })
})
