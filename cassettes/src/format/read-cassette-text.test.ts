import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { CassetteFormatError } from '../errors/cassette-format-error.ts'
import { readCassetteFile } from './cassette-file.ts'

const run = promisify(execFile)
const tempDir = () => mkdtempSync(join(tmpdir(), 'retrace-read-'))
const valid = '{\n  "version": 1,\n  "interactions": []\n}\n'

function readError(file: string): CassetteFormatError {
  try {
    readCassetteFile(file)
  } catch (error) {
    if (error instanceof CassetteFormatError) return error
    throw error
  }
  throw new Error(`expected ${file} to be refused`)
}

describe('bytes that are not UTF-8', () => {
  const withBytes = (bytes: number[]) => {
    const file = join(tempDir(), 'bad.cassette.json')
    const prefix = Buffer.from('{\n  "version": 1,\n  "meta": { "recorder": "caf')
    writeFileSync(file, Buffer.concat([prefix, Buffer.from(bytes), Buffer.from('" },\n  "interactions": []\n}\n')]))
    return file
  }

  test.each([
    ['a lone 0xff', [0xff]],
    ['an overlong NUL (c0 80)', [0xc0, 0x80]],
    ['a stray continuation byte', [0x80]],
    ['a UTF-16 surrogate encoded as UTF-8 (ed a0 80)', [0xed, 0xa0, 0x80]],
    ['a sequence cut short', [0xe2, 0x82]],
    ['a code point beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('%s is refused with its line, column and JSON path, not read as U+FFFD', (_name, bytes) => {
    const file = withBytes(bytes)
    const error = readError(file)
    expect(error.problem).toBe('invalid-utf8')
    expect(error.file).toBe(file)
    expect(error.path).toBe('$.meta.recorder')
    expect([error.line, error.column]).toEqual([3, 29])
    expect(error.message).toMatch(new RegExp(`not valid UTF-8: byte 0x${bytes[0]!.toString(16)} at line 3, column 29`))
    expect(error.hint).toMatch(/re-save it as UTF-8/)
  })

  test('real multi-byte characters and a byte order mark are fine', () => {
    const file = join(tempDir(), 'ok.cassette.json')
    writeFileSync(file, `\ufeff${valid.replace('"interactions"', '"meta": { "recorder": "café €5 😀" },\n  "interactions"')}`)
    expect(readCassetteFile(file)?.meta?.recorder).toBe('café €5 😀')
  })
})

describe('paths that are not regular files', () => {
  test('a folder named *.cassette.json is refused as a folder', () => {
    const dir = join(tempDir(), 'agent.cassette.json')
    mkdirSync(dir)
    const error = readError(dir)
    expect(error.problem).toBe('not-a-file')
    expect(error.message).toMatch(/agent\.cassette\.json is not usable: it is a folder, not a regular file/)
  })

  test('a link to a missing file is refused (never silently recorded through)', () => {
    const file = join(tempDir(), 'dangling.cassette.json')
    symlinkSync('/nonexistent/target.json', file)
    expect(readError(file).message).toMatch(/symbolic link to a file that does not exist/)
  })

  test('a missing file is simply not recorded yet', () => {
    expect(readCassetteFile(join(tempDir(), 'none.cassette.json'))).toBeUndefined()
  })

  // These hung the reader forever: run in a child process, so a regression fails on time
  // instead of hanging the test run.
  test.runIf(process.platform !== 'win32')('a FIFO and a link to /dev/zero are refused at once, without reading them', async () => {
    const dir = tempDir()
    const fifo = join(dir, 'fifo.cassette.json')
    await run('mkfifo', [fifo])
    const zero = join(dir, 'zero.cassette.json')
    symlinkSync('/dev/zero', zero)
    const script = `
      const { readCassetteFile } = await import(${JSON.stringify(new URL('../index.ts', import.meta.url).href)})
      for (const file of process.argv.slice(1)) {
        try { readCassetteFile(file); console.log('read', file) } catch (error) { console.log(error.constructor.name, error.problem, error.message.split('\\n')[0]) }
      }`
    const { stdout } = await run(process.execPath, ['--conditions=@retrace/source', '--input-type=module', '-e', script, fifo, zero], { timeout: 15_000 })
    expect(stdout).toContain(`CassetteFormatError not-a-file Cassette ${fifo} is not usable: it is a FIFO (named pipe), not a regular file.`)
    expect(stdout).toContain(`CassetteFormatError not-a-file Cassette ${zero} is not usable: it is a character device (such as /dev/zero), not a regular file.`)
  })
})
