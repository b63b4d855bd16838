import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'
import OpenAI from 'openai'
import type { HttpHandler } from 'msw'
import { readCassetteFile } from '@retrace/cassettes'
import { tempCassettePath } from '../../../test-support/temp-dir.ts'
import { createFixtureProject } from '../../../test-support/fixture-project.ts'
import { toMsw } from '../../src/interop/msw.ts'
import { everyShape } from './fixture-cassettes.ts'
import { openAiRun, recordOpenAiRun, TEST_KEY } from './openai-run.ts'

// The generated module is written to a project folder (node_modules linked, so it resolves
// `msw` as a user's would), imported, and served through msw/node's setupServer.

interface HandlersModule {
  handlers: HttpHandler[]
  createHandlers(options?: { timing?: 'instant' | 'recorded' }): HttpHandler[]
}

let close: (() => void) | undefined
afterEach(() => {
  close?.()
  close = undefined
})

async function serve(source: string, fileName: string, options?: { timing: 'recorded' }): Promise<void> {
  const project = createFixtureProject({ [fileName]: source })
  const module = (await import(pathToFileURL(join(project.dir, fileName)).href)) as HandlersModule
  const { setupServer } = await import('msw/node')
  const server = setupServer(...(options ? module.createHandlers(options) : module.handlers))
  server.listen({ onUnhandledFrame: 'error' })
  close = () => server.close()
}

describe('exported MSW handlers', () => {
  test.each([
    ['JavaScript', 'handlers.mjs', false],
    ['TypeScript', 'handlers.ts', true],
  ])('serve a recorded OpenAI run to the SDK (%s)', async (_flavour, fileName, typescript) => {
    const file = tempCassettePath()
    const { baseURL, recorded } = await recordOpenAiRun(file)
    await serve(toMsw(readCassetteFile(file)!, { typescript }), fileName)
    const replayed = await openAiRun(new OpenAI({ apiKey: TEST_KEY, baseURL, maxRetries: 0 }))
    expect(replayed).toEqual(recorded)
  })

  test('in order per endpoint: text, binary, a stream cut short, then a network error once exhausted', async () => {
    await serve(toMsw(everyShape), 'every-shape.mjs')
    const post = () => fetch('https://api.openai.com/v1/chat/completions', { method: 'POST', body: '{}' })
    expect(await (await post()).json()).toMatchObject({ id: 'chatcmpl-1' })
    const stream = await post()
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const text = await stream.text()
    expect(text.startsWith(': keep-alive\ndata: ')).toBe(true)
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true)
    // Cut short when recorded: the event that arrived, then the body ends (no [DONE]).
    expect(await (await post()).text()).toMatch(/^data: \{"id":"chatcmpl-2"[^\n]*"Once"[^\n]*\n\n$/)
    await expect(post()).rejects.toThrow(TypeError)
    expect(await (await fetch('https://weather.example.com/v1/paris?units=metric&lang=en')).text()).toBe('sunny\n21')
    const upload = await fetch('https://files.example.com/upload', { method: 'PUT', body: new Uint8Array([1]) })
    expect(upload.status).toBe(201)
    expect([...new Uint8Array(await upload.arrayBuffer())]).toEqual([137, 80, 78, 71, 0, 200])
    await expect(fetch('https://down.example.com/')).rejects.toThrow(TypeError)
  })

  test("createHandlers({ timing: 'recorded' }) waits the recorded latency", async () => {
    await serve(toMsw(everyShape), 'paced.mjs', { timing: 'recorded' })
    const started = performance.now()
    await (await fetch('https://api.openai.com/v1/chat/completions', { method: 'POST', body: '{}' })).json()
    expect(performance.now() - started).toBeGreaterThanOrEqual(110)
  })
})
