import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

// An OpenAI-compatible server that echoes what it is sent back in every place a provider
// answers: message content, tool-call arguments, streamed deltas (cut into small pieces so a
// key never arrives whole), error bodies, response headers. The secret corpus test sends
// credentials through it to check none of those places reaches a cassette.

/** How `/v1/chat/completions` answers, chosen by the `x-corpus-mode` request header. */
export type EchoMode = 'json' | 'tool' | 'stream' | 'error'

/** A running echo server. */
export interface EchoServer {
  /** The OpenAI base URL (`http://127.0.0.1:<port>/v1`). */
  baseURL: string
  port: number
  stop(): Promise<void>
}

/** Size of each streamed delta: smaller than any secret, so every key is split over several events. */
export const DELTA_CHARS = 6

/**
 * Starts the echo server on a free loopback port.
 *
 * @example
 * import OpenAI from 'openai'
 * const server = await startEchoServer()
 * const client = new OpenAI({ apiKey: 'fake', baseURL: server.baseURL })
 * const echoed = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'my key is sk-demo' }] })
 * echoed.choices[0]?.message.content // → 'my key is sk-demo'
 * const call = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '{"note":"hi"}' }] }, { headers: { 'x-corpus-mode': 'tool' } })
 * call.choices[0]?.message.tool_calls?.[0]?.type === 'function' && call.choices[0].message.tool_calls[0].function.arguments // → '{"note":"hi"}'
 * await server.stop()
 */
export async function startEchoServer(): Promise<EchoServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://echo')
  const echoedHeader = req.headers['x-debug-note'] ?? req.headers['x-auth-token']
  if (typeof echoedHeader === 'string') res.setHeader('x-echo-note', echoedHeader)
  if (url.pathname === '/v1/echo') {
    json(res, 200, { query: Object.fromEntries(url.searchParams), header: echoedHeader ?? null })
    return
  }
  const request = JSON.parse(body) as { model: string; messages: Array<{ content: string }> }
  const content = request.messages.at(-1)?.content ?? ''
  const mode = (req.headers['x-corpus-mode'] ?? 'json') as EchoMode
  const base = { id: 'chatcmpl-corpus', created: 1_767_225_600, model: request.model }
  const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 }
  if (mode === 'error') {
    json(res, 400, { error: { message: `The request was rejected: ${content}`, type: 'invalid_request_error', code: 'rejected' } })
  } else if (mode === 'tool') {
    const call = { id: 'call_corpus', type: 'function', function: { name: 'save_note', arguments: content } }
    json(res, 200, { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call], refusal: null }, finish_reason: 'tool_calls', logprobs: null }], usage })
  } else if (mode === 'stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`)
    chunk({ role: 'assistant', content: '' })
    for (const piece of pieces(content)) chunk({ content: piece })
    const args = JSON.stringify({ note: content })
    chunk({ tool_calls: [{ index: 0, id: 'call_corpus', type: 'function', function: { name: 'save_note', arguments: '' } }] })
    for (const piece of pieces(args)) chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })
    chunk({}, 'tool_calls')
    res.end('data: [DONE]\n\n')
  } else {
    json(res, 200, { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }], usage })
  }
}

function pieces(text: string): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += DELTA_CHARS) out.push(text.slice(i, i + DELTA_CHARS))
  return out
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}
