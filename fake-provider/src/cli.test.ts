import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

// The `retrace-fake-provider` command as users run it: the bin shim over the build (run
// `npm run build` first; `npm test` does).
const bin = join(import.meta.dirname, '..', 'bin', 'retrace-fake-provider.js')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the command; with `until`, kills it (SIGTERM) once stdout matches. */
function run(args: string[], until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (until?.test(stdout)) child.kill('SIGTERM')
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('retrace-fake-provider', () => {
  test.each([['--help'], ['-h']])('%s prints the usage and exits 0', async (flag) => {
    const result = await run([flag])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^Usage: retrace-fake-provider \[options\]/)
    for (const option of ['--port <number>', '--host <address>', '--gzip', '--event-delay-ms <ms>', '--no-auth', '--help']) expect(result.stdout).toContain(option)
  })

  test.each([
    [['--port', 'abc'], 'Invalid --port: expected a whole number from 0 to 65535, got "abc".'],
    [['--port', '70000'], 'Invalid --port: expected a whole number from 0 to 65535, got "70000".'],
    [['--port=-1'], 'Invalid --port: expected a whole number from 0 to 65535, got "-1".'],
    [['--port', '-1'], 'Invalid --port: a value starting with "-" goes after "=", as in --port=-1.'],
    [['--gzip=yes'], 'Invalid --gzip: it takes no value.'],
    [['--port'], "Invalid --port: it needs a value, as in --port 4010."],
    [['--event-delay-ms', 'soon'], 'Invalid --event-delay-ms: expected a whole number of milliseconds, got "soon".'],
    [['--prot', '4010'], 'Invalid --prot: unknown option.'],
    [['4010'], 'Invalid argument "4010": the command takes options only.'],
  ])('%j is a one-line usage error, exit 2', async (args, message) => {
    const result = await run(args)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`retrace-fake-provider: ${message} See retrace-fake-provider --help.\n`)
  })

  test('a port already in use is a one-line error, exit 1', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as { port: number }
    try {
      const result = await run(['--port', String(port)])
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(`retrace-fake-provider: port ${port} on 127.0.0.1 is already in use: pick another with --port, or --port 0 for a free one.\n`)
    } finally {
      taken.close()
    }
  })

  test('with valid options it serves the SDKs and stops cleanly on SIGTERM', async () => {
    const result = await run(['--port', '0', '--no-auth'], /Gemini +baseUrl: .*\n/)
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^Fake LLM provider listening on http:\/\/127\.0\.0\.1:\d+\n  OpenAI {5}baseURL: http:\/\/127\.0\.0\.1:\d+\/v1\n/)
    expect(result.code).toBe(0)
  })
})
