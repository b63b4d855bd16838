import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { CassetteFormatError, findSecrets, parseCassette, type Step } from '@retrace/cassettes'
import { extractStep } from '@retrace/core'
import { findCassetteFiles } from '../cassette-files/find-cassette-files.ts'
import { EXIT, mostSevere, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { callServer, errorCode, errorMessage, serverTarget } from './server-client.ts'

const run = promisify(execFile)

/** Options of `retrace push`. */
export interface PushOptions {
  /** Files or folders; default: every cassette under a `__cassettes__` folder below `cwd`. */
  paths: string[]
  baseUrl?: string | undefined
  apiKey?: string | undefined
  cwd?: string | undefined
  env?: NodeJS.ProcessEnv | undefined
}

/** Repository, branch and commit of the git checkout at `cwd`, whatever of them git can tell. */
async function gitFacts(cwd: string): Promise<{ root?: string; repository?: string; branch?: string; commit?: string }> {
  const git = async (...args: string[]) => {
    try {
      return (await run('git', args, { cwd, timeout: 10_000 })).stdout.trim() || undefined
    } catch {
      return undefined
    }
  }
  const [root, repository, branch, commit] = await Promise.all([git('rev-parse', '--show-toplevel'), git('remote', 'get-url', 'origin'), git('rev-parse', '--abbrev-ref', 'HEAD'), git('rev-parse', 'HEAD')])
  // A remote URL may carry credentials (https://user:token@host/…): never send them.
  const safeRepository = repository?.replace(/\/\/[^@/]*@/, '//')
  return { ...(root ? { root } : {}), ...(safeRepository ? { repository: safeRepository } : {}), ...(branch && branch !== 'HEAD' ? { branch } : {}), ...(commit ? { commit } : {}) }
}

/**
 * Where the recording test is, relative to the repository: the cassette names it by its file
 * name, and cassettes live in `__cassettes__/<test file>/` beside the test.
 */
function testFilePath(cassetteFile: string, testFile: string, root: string): string {
  const parts = cassetteFile.split(sep)
  const at = parts.lastIndexOf('__cassettes__')
  const candidates = [...(at > 0 ? [join(parts.slice(0, at).join(sep) || sep, testFile)] : []), resolve(dirname(cassetteFile), testFile)]
  const found = candidates.find((candidate) => existsSync(candidate))
  return found ? relative(root, found).split(sep).join('/') : testFile
}

/**
 * `retrace push`: uploads every cassette found to the Retrace server as a trace (with its LLM
 * steps, the recording test and git metadata), one line per cassette with the trace's URL.
 * Cassettes holding a secret are refused before upload. Exit codes: 0 pushed (or already
 * there) · 2 a cassette missing, unreadable or invalid · 4 a secret in a cassette · 5 usage
 * (no API key) · 6 the server unreachable or refusing the key.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { createServer } from 'node:http'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * // A stand-in for `retrace server`: canned answers by method and path, and what it was asked.
 * const answers: Record<string, unknown> = { 'POST /api/v1/cassettes': { trace: { id: 'tr_1' } } }
 * const asked: string[] = []
 * const server = createServer((request, response) => {
 *   const key = `${request.method} ${request.url}`
 *   asked.push(key)
 *   response.writeHead(key in answers ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(answers[key] ?? { error: { code: 'not_found', message: 'no such thing' } }))
 * })
 * await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
 * const options = { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'rt_example_key' }
 * const terminal = bufferTerminal()
 * await pushCassettes({ ...options, paths: ['weather.cassette.json'], cwd: dir }, terminal) // → 0
 * asked // → ['POST /api/v1/cassettes']
 * terminal.stdout() // → `= unchanged weather.cassette.json → ${options.baseUrl}/api/v1/traces/tr_1\n`
 * server.close()
 */
export async function pushCassettes(options: PushOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = options.cwd ?? process.cwd()
  const target = serverTarget(options, options.env)
  const files = options.paths.length ? findCassetteFiles(options.paths, cwd) : findCassetteFiles(['.'], cwd).filter((file) => relative(cwd, file).split(sep).includes('__cassettes__'))
  if (!files.length) {
    terminal.err(`retrace push: no cassettes found ${options.paths.length ? `in ${options.paths.join(', ')}` : 'under any __cassettes__ folder'}.\n`)
    return EXIT.missing
  }
  const git = await gitFacts(cwd)
  const codes: ExitCode[] = []
  for (const file of files) {
    const shown = relative(cwd, file) || file
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      terminal.err(`✗ ${shown}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).\n`)
      codes.push(EXIT.missing)
      continue
    }
    let cassette
    try {
      cassette = parseCassette(text, shown)
    } catch (error) {
      if (!(error instanceof CassetteFormatError)) throw error
      terminal.err(`✗ ${error.message.split('\n')[0]}\n`)
      codes.push(EXIT.missing)
      continue
    }
    const secrets = findSecrets(cassette)
    if (secrets.length) {
      terminal.err(`✗ ${shown}: not pushed, it holds ${secrets.length} secret-shaped value(s) at ${secrets.map((finding) => `${finding.path} (${finding.kind})`).join(', ')}.\n`)
      codes.push(EXIT.secret)
      continue
    }
    const steps: Array<Step | null> = cassette.interactions.map((interaction) => {
      try {
        return extractStep(interaction) ?? null
      } catch {
        return null
      }
    })
    const test = cassette.run?.test
    const testFile = test ? testFilePath(file, test.file, git.root ?? cwd) : undefined
    const gitMeta = { ...(git.repository ? { repository: git.repository } : {}), ...(git.branch ? { branch: git.branch } : {}), ...(git.commit ? { commit: git.commit } : {}), ...(testFile ? { testFile } : {}), ...(test ? { testName: test.name } : {}) }
    const name = test ? `${testFile} › ${test.name}` : shown.split(sep).join('/')
    const answer = await callServer(target, '/api/v1/cassettes', { method: 'POST', json: { cassette, name, steps, ...(Object.keys(gitMeta).length ? { git: gitMeta } : {}) } })
    if (answer.status === 200 || answer.status === 201) {
      const trace = (answer.body as { trace: { id: string } }).trace
      terminal.out(`${answer.status === 201 ? '✓ pushed   ' : '= unchanged'} ${shown} → ${target.baseUrl}/api/v1/traces/${trace.id}\n`)
      codes.push(EXIT.pass)
      continue
    }
    const message = errorMessage(answer.body) ?? answer.text.slice(0, 300)
    terminal.err(`✗ ${shown}: the server refused it (${answer.status}): ${message}\n`)
    codes.push(errorCode(answer.body) === 'secret_found' ? EXIT.secret : answer.status >= 500 ? EXIT.unreachable : EXIT.missing)
  }
  return mostSevere(codes)
}
