import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { thrownBy } from '../../../test-support/thrown-by.ts'
import { CassetteFormatError } from '../errors/cassette-format-error.ts'
import { CassetteSecretError } from '../errors/cassette-secret-error.ts'
import type { Cassette } from '../schema/cassette.ts'
import { readCassetteFile, writeCassetteFile } from './cassette-file.ts'
import { parseCassette } from './parse-cassette.ts'
import { serializeCassette } from './serialize-cassette.ts'

const cassette: Cassette = {
  version: 1,
  meta: { recorder: 'test' },
  interactions: [
    {
      request: { method: 'POST', url: 'https://api.example.com/v1/chat', headers: { 'content-type': 'application/json' }, body: { json: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } } },
      response: {
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: { sse: [{ t: 0, data: { delta: 'Hel' } }, { t: 5, data: { delta: 'lo' } }, { t: 6, text: '[DONE]' }] },
      },
      timing: { latencyMs: 12, durationMs: 20 },
    },
  ],
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'retrace-format-'))

describe('serializeCassette', () => {
  test('writes 2-space JSON with each server-sent event on one line', () => {
    const text = serializeCassette(cassette)
    expect(text).toContain('\n  "interactions": [\n')
    expect(text).toContain('            {"t":0,"data":{"delta":"Hel"}},\n')
    expect(text).toContain('{"t":6,"text":"[DONE]"}')
    expect(text.endsWith('}\n')).toBe(true)
    expect(JSON.parse(text)).toEqual(cassette)
  })

  test('parse then serialize is stable (same bytes)', () => {
    const text = serializeCassette(cassette)
    expect(serializeCassette(parseCassette(text, 'x.json'))).toBe(text)
  })
})

describe('parseCassette errors', () => {
  test('invalid JSON names the file and the line', () => {
    const broken = serializeCassette(cassette).replace('"status": 200', '"status": 200,,')
    const error = catchError(() => parseCassette(broken, 'a.cassette.json'))
    expect(error).toBeInstanceOf(CassetteFormatError)
    expect(error.problem).toBe('invalid-json')
    expect(error.message).toMatch(/a\.cassette\.json.*line \d+, column \d+/s)
    expect(error.message).toMatch(/restore it from git/)
  })

  test('errors V8 gives without a position still get a line and column', () => {
    const truncated = catchError(() => parseCassette('{\n  "version": 1,\n  "interactions": [', 'c.json'))
    expect(truncated.message).toMatch(/line 3, column 20: Unexpected end of JSON input/)
    const token = catchError(() => parseCassette('{\n  "version": 1,\n  "x": tru}', 'd.json'))
    expect(token.message).toMatch(/line 3, column \d+: Unexpected token '}'/)
  })

  test('a wrong field type names the JSON path', () => {
    const wrong = JSON.parse(serializeCassette(cassette))
    wrong.interactions[0].response.status = 'ok'
    const error = catchError(() => parseCassette(JSON.stringify(wrong), 'b.json'))
    expect(error.problem).toBe('invalid-schema')
    expect(error.path).toBe('$.interactions[0].response.status')
    expect(error.message).toContain('$.interactions[0].response.status')
  })

  test('a newer version says to upgrade', () => {
    const error = catchError(() => parseCassette(JSON.stringify({ version: 7, interactions: [] }), 'c.json'))
    expect(error.problem).toBe('newer-version')
    expect(error.message).toMatch(/format v7.*Upgrade the @retrace/s)
  })

  test('a JSON file that is not a cassette has no version', () => {
    expect(catchError(() => parseCassette('{"interactions": []}', 'd.json')).problem).toBe('missing-version')
  })
})

describe('what replay hands to fetch and node:http is checked on load', () => {
  const withResponse = (change: (response: Record<string, unknown>) => void) => {
    const raw = JSON.parse(serializeCassette(cassette))
    change(raw.interactions[0].response)
    return catchError(() => parseCassette(JSON.stringify(raw), 'h.cassette.json'))
  }

  test.each([
    ['a non-Latin-1 character', 'café €'],
    ['an emoji', '\u{1F600}'],
    ['a line break (header injection)', 'a\r\nx-injected: 1'],
    ['a NUL', 'a\u0000b'],
  ])('a header value with %s is refused by path (replay threw "Cannot convert argument to a ByteString")', (_name, value) => {
    const error = withResponse((response) => ((response.headers as Record<string, string>)['x-note'] = value))
    expect(error.problem).toBe('invalid-schema')
    expect(error.path).toBe("$.interactions[0].response.headers['x-note']")
    expect(error.message).toMatch(/h\.cassette\.json is not usable: .*x-note'\]: a header value can hold only Latin-1 characters/)
  })

  test('Latin-1 and tabs in a header value are fine, as HTTP allows', () => {
    const raw = JSON.parse(serializeCassette(cassette))
    raw.interactions[0].response.headers['x-note'] = 'caf\u00e9\tok'
    expect(parseCassette(JSON.stringify(raw), 'ok.json').interactions[0]!.response!.headers['x-note']).toBe('café\tok')
  })

  test('a header name that is not an HTTP token is refused with its own message', () => {
    const error = withResponse((response) => ((response.headers as Record<string, string>)['bad name'] = 'x'))
    expect(error.path).toBe("$.interactions[0].response.headers['bad name']")
    expect(error.message).toMatch(/a header name is letters, digits/)
  })

  test.each([0, 101, 199, 600, 999, -200, 200.5])('status %s is refused (fetch’s Response only takes 200–599)', (status) => {
    expect(withResponse((response) => (response.status = status)).path).toBe('$.interactions[0].response.status')
  })

  test('a 204 with a body is refused: a Response cannot carry one', () => {
    const error = withResponse((response) => (response.status = 204))
    expect(error.path).toBe('$.interactions[0].response.body')
    expect(error.message).toMatch(/a 204 response has no body/)
  })

  test('a status text with a line break, and headers beyond what Node clients accept, are refused', () => {
    expect(withResponse((response) => (response.statusText = 'OK\r\nx: 1')).path).toBe('$.interactions[0].response.statusText')
    expect(withResponse((response) => ((response.headers as Record<string, string>)['x-big'] = 'a'.repeat(20_000))).message).toMatch(
      /headers add up to \d+ bytes, more than the 16384/,
    )
  })

  test('every schema problem is listed in issues', () => {
    const raw = JSON.parse(serializeCassette(cassette))
    raw.interactions[0].response.status = 'ok'
    raw.interactions[0].request.url = 1
    const error = catchError(() => parseCassette(JSON.stringify(raw), 'b.json'))
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['$.interactions[0].request.url', '$.interactions[0].response.status'])
  })
})

describe('files', () => {
  test('writes atomically, leaves no temporary file, and reads back', async () => {
    const dir = tempDir()
    const file = join(dir, 'nested', 'run.cassette.json')
    expect(await writeCassetteFile(file, cassette)).toBe(true)
    expect(readdirSync(join(dir, 'nested'))).toEqual(['run.cassette.json'])
    expect(readCassetteFile(file)).toEqual(cassette)
  })

  test('an unchanged cassette is not rewritten', async () => {
    const file = join(tempDir(), 'run.cassette.json')
    await writeCassetteFile(file, cassette)
    const before = statSync(file).mtimeMs
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await writeCassetteFile(file, cassette)).toBe(false)
    expect(statSync(file).mtimeMs).toBe(before)
  })

  test('a missing file reads as undefined; a corrupt one throws and stays untouched', () => {
    const dir = tempDir()
    expect(readCassetteFile(join(dir, 'none.json'))).toBeUndefined()
    const corrupt = join(dir, 'corrupt.json')
    writeFileSync(corrupt, '{ "version": 1, "interactions": [ <<<<<<< HEAD')
    expect(() => readCassetteFile(corrupt)).toThrow(CassetteFormatError)
    expect(readFileSync(corrupt, 'utf8')).toBe('{ "version": 1, "interactions": [ <<<<<<< HEAD')
  })

  test('refuses a cassette it could not read back (too deep, NaN), and keeps the previous file', async () => {
    const file = join(tempDir(), 'run.cassette.json')
    await writeCassetteFile(file, cassette)
    let deep: unknown = 'x'
    for (let i = 0; i < 3_000; i++) deep = [deep]
    for (const result of [deep, Number.NaN]) {
      const error = await writeCassetteFile(file, { ...cassette, run: { result: result as never } }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CassetteFormatError)
      expect((error as CassetteFormatError).path).toMatch(/^\$\.run\.result/)
      expect((error as Error).message).toMatch(/refusing to write it/)
      expect(readCassetteFile(file)).toEqual(cassette)
    }
  })

  test('refuses to write a secret, names the path, and keeps the previous file', async () => {
    const file = join(tempDir(), 'run.cassette.json')
    await writeCassetteFile(file, cassette)
    const leaky = structuredClone(cassette)
    leaky.interactions[0]!.request.headers['x-api-key'] = 'sk-ant-' + 'a1'.repeat(20)
    const error = await writeCassetteFile(file, leaky).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CassetteSecretError)
    expect((error as CassetteSecretError).findings).toEqual([{ path: "$.interactions[0].request.headers['x-api-key']", kind: 'anthropic-key' }])
    expect((error as Error).message).toContain(file)
    expect((error as Error).message).not.toContain('a1a1a1')
    expect(readCassetteFile(file)).toEqual(cassette)
    expect(existsSync(file)).toBe(true)
  })
})

function catchError(fn: () => unknown): CassetteFormatError {
  return thrownBy(fn, CassetteFormatError)
}
