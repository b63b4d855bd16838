import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { parseCassette, serializeCassette, writeCassetteFile } from '@retrace/cassettes'
import { bufferTerminal } from '../../src/output/terminal.ts'
import { run } from '../../src/program.ts'
import { everyShape } from './fixture-cassettes.ts'
import { TEST_KEY } from './openai-run.ts'

// The commands run in-process on real files; exit codes: 0 done, 2 unusable input, 4 a secret
// survived redaction, 5 bad usage.

let dir: string
let cassetteFile: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retrace-interop-'))
  cassetteFile = join(dir, 'every-shape.cassette.json')
  await writeCassetteFile(cassetteFile, everyShape)
})

const retrace = async (...args: string[]) => {
  const terminal = bufferTerminal()
  const code = await run(['node', 'retrace', ...args], terminal)
  return { code, stdout: terminal.stdout(), stderr: terminal.stderr() }
}

const harWithCredentials = () => ({
  log: {
    version: '1.2',
    creator: { name: 'Chrome', version: '130' },
    entries: [
      {
        startedDateTime: '2025-01-31T09:00:00.000Z',
        time: 210,
        request: {
          method: 'POST',
          url: `https://api.openai.com/v1/chat/completions?key=${TEST_KEY}`,
          httpVersion: 'HTTP/2',
          headers: [
            { name: 'Authorization', value: `Bearer ${TEST_KEY}` },
            { name: 'Cookie', value: 'session=abc123' },
            { name: 'Content-Type', value: 'application/json' },
          ],
          postData: { mimeType: 'application/json', text: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `use ${TEST_KEY}` }] }) },
        },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [{ name: 'Content-Type', value: 'application/json' }],
          content: { size: 10, mimeType: 'application/json', text: JSON.stringify({ id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }) },
        },
        timings: { send: 1, wait: 200, receive: 9 },
      },
    ],
  },
})

describe('retrace import', () => {
  test('a browser HAR with credentials is imported with every secret redacted, atomically', async () => {
    const harFile = join(dir, 'credentials.har')
    writeFileSync(harFile, JSON.stringify(harWithCredentials()))
    const out = join(dir, 'imported', 'credentials.cassette.json')
    const result = await retrace('import', 'har', harFile, '-o', out)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`Imported 1 interaction(s) (1 LLM step(s)) from ${harFile} into ${out}.\n`)
    const written = readFileSync(out, 'utf8')
    expect(written).not.toContain(TEST_KEY)
    expect(written).not.toContain('abc123')
    const cassette = parseCassette(written, out)
    expect(cassette.interactions[0]!.request.headers).toEqual({ authorization: '[REDACTED]', 'content-type': 'application/json', cookie: '[REDACTED]' })
    expect(cassette.interactions[0]!.timing).toEqual({ latencyMs: 201, durationMs: 210 })
    expect(cassette.interactions[0]!.step).toMatchObject({ output: [{ type: 'text', content: 'ok' }] })
  })

  test('without -o the cassette goes to stdout and the summary to stderr', async () => {
    const harFile = join(dir, 'stdout.har')
    writeFileSync(harFile, JSON.stringify(harWithCredentials()))
    const result = await retrace('import', 'har', harFile)
    expect(result.code).toBe(0)
    expect(parseCassette(result.stdout, 'stdout').interactions).toHaveLength(1)
    expect(result.stdout).not.toContain(TEST_KEY)
    expect(result.stderr).toContain('Imported 1 interaction(s)')
  })

  test('a key used as a field name is masked like any other secret (exit 0, the key never reaches the file)', async () => {
    const har = harWithCredentials()
    har.log.entries[0]!.response.content.text = JSON.stringify({ [TEST_KEY]: true })
    const harFile = join(dir, 'key-as-field-name.har')
    writeFileSync(harFile, JSON.stringify(har))
    const out = join(dir, 'key-as-field-name.cassette.json')
    const result = await retrace('import', 'har', harFile, '-o', out)
    expect(result.code).toBe(0)
    const written = readFileSync(out, 'utf8')
    expect(written).not.toContain(TEST_KEY)
    expect(written).toContain('[REDACTED:openai-key]')
  })

  test('unusable inputs exit 2 and name the file and field', async () => {
    const missing = await retrace('import', 'nock', join(dir, 'nope.json'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.json is not usable as nock definitions: the file does not exist.')

    const badHar = join(dir, 'bad.har')
    writeFileSync(badHar, JSON.stringify({ log: { entries: [{ request: { method: 'GET' }, response: { status: 200 } }] } }))
    const malformed = await retrace('import', 'har', badHar)
    expect(malformed.code).toBe(2)
    expect(malformed.stderr).toContain(`${badHar} is not usable as HAR: $.log.entries[0].request.url:`)

    const notJson = join(dir, 'broken.json')
    writeFileSync(notJson, '[{"scope": "https://a.example",\n  "method": GET}]')
    expect((await retrace('import', 'nock', notJson)).stderr).toContain(`${notJson} is not usable as nock definitions: it is not valid JSON (line 2, column 13: Unexpected token 'G')`)

    const newer = join(dir, 'newer.jsonl')
    writeFileSync(newer, `${JSON.stringify({ schema_version: 3, id: 'a', timestamp: 't', type: 'model_call', name: 'x' })}\n`)
    const version = await retrace('import', 'agent-cassette', newer)
    expect(version.code).toBe(2)
    expect(version.stderr).toContain('line 1: $.schema_version: schema version 3 is not supported')
  })

  test('an unknown format is a usage error (5)', async () => {
    const result = await retrace('import', 'postman', 'x.json')
    expect(result.code).toBe(5)
    expect(result.stderr).toContain("'postman' is invalid for argument 'format'. Allowed choices are har, nock, agent-cassette, who-and-when.")
  })
})

describe('retrace export', () => {
  test('each format to stdout', async () => {
    const har = await retrace('export', 'har', cassetteFile, '--start-time', '2025-01-31T09:00:00Z')
    expect(har.code).toBe(0)
    expect(JSON.parse(har.stdout).log.entries[0].startedDateTime).toBe('2025-01-31T09:00:00.000Z')

    const nock = await retrace('export', 'nock', cassetteFile)
    expect(nock.code).toBe(0)
    expect(JSON.parse(nock.stdout)).toHaveLength(5)
    expect(nock.stderr).toContain('warning: interaction #6 (GET https://down.example.com/): left out')

    const msw = await retrace('export', 'msw', cassetteFile)
    expect(msw.stdout).toContain('export const handlers = createHandlers()')

    const otel = await retrace('export', 'otel', cassetteFile)
    expect(JSON.parse(otel.stdout).resourceSpans[0].scopeSpans[0].spans).toHaveLength(4)
  })

  test('-o writes the file; a .ts name gets TypeScript', async () => {
    const out = join(dir, 'mocks', 'handlers.ts')
    const result = await retrace('export', 'msw', cassetteFile, '-o', out)
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`Exported 6 interaction(s) from ${cassetteFile} to ${out} (msw).\n`)
    expect(readFileSync(out, 'utf8')).toContain('export const handlers: HttpHandler[] = createHandlers()')
  })

  test('a missing or corrupt cassette exits 2; options that do not fit exit 5', async () => {
    const missing = await retrace('export', 'har', join(dir, 'absent.cassette.json'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('absent.cassette.json is not usable as Retrace cassette: the file does not exist.')

    const corrupt = join(dir, 'corrupt.cassette.json')
    writeFileSync(corrupt, serializeCassette(everyShape).replace('"version": 1', '"version": "one"'))
    expect((await retrace('export', 'otel', corrupt)).code).toBe(2)

    expect((await retrace('export', 'har', cassetteFile, '--start-time', 'yesterday')).code).toBe(5)
    const misplaced = await retrace('export', 'nock', cassetteFile, '--start-time', '2025-01-31T09:00:00Z')
    expect(misplaced.code).toBe(5)
    expect(misplaced.stderr).toContain('--start-time applies to the har and otel formats, not nock.')
  })

  test('--help has an example for each format', async () => {
    const help = await retrace('export', '--help')
    expect(help.code).toBe(0)
    for (const format of ['har', 'nock', 'msw', 'otel']) expect(help.stdout).toContain(`$ retrace export ${format} `)
    const importHelp = await retrace('import', '--help')
    for (const format of ['har', 'nock', 'agent-cassette']) expect(importHelp.stdout).toContain(`$ retrace import ${format} `)
  })
})
