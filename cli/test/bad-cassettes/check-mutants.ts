// Child process of the bad-cassette fuzz test (run with `node --conditions=@retrace/source`).
// For each mutant: write it, replay it as a user would (startCassette in replay mode, every
// recorded request sent again over fetch or node:http, bodies read to the end, steps
// extracted), lint it, and print one JSON line with both verdicts. A `start` line before each
// case lets the parent name the mutant that hung, even when it hangs synchronously.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CassetteFormatError, CassetteMismatchError, type Interaction } from '@retrace/cassettes'
import { startCassette } from '@retrace/core'
import { checkCassetteFiles } from '../../src/cassette-files/check-cassette-files.ts'
import { mutateCassettes, type Mutant } from './mutate-cassette.ts'

/** How one mutant fared: `valid` (replayed), `invalid` (typed error naming the file), or what went wrong. */
export interface MutantResult {
  id: number
  kind: string
  source: string
  transport: 'fetch' | 'node:http'
  replay: 'valid' | 'invalid' | 'crash' | 'hang'
  lint: 'valid' | 'invalid' | 'crash'
  detail?: string
}

const CASE_TIME_LIMIT_MS = 5_000
const examples = join(import.meta.dirname, '..', '..', '..', 'examples')

function exampleCassettes(): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.cassette.json')) out.push({ name: path.slice(examples.length + 1), text: readFileSync(path, 'utf8') })
    }
  }
  for (const example of readdirSync(examples)) {
    try {
      walk(join(examples, example, '__cassettes__'))
    } catch {
      // an example without cassettes
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

class Crash extends Error {}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message.split('\n')[0]!.slice(0, 300)}` : String(error)
}

function requestBody(interaction: Interaction): string | Buffer | undefined {
  const body = interaction.request.body
  if (!body || ['GET', 'HEAD'].includes(interaction.request.method.toUpperCase())) return undefined
  if ('json' in body) return JSON.stringify(body.json)
  if ('text' in body) return body.text
  if ('base64' in body) return Buffer.from(body.base64, 'base64')
  return undefined
}

/** What a request that replay refused, or that replays a recorded failure, may fail with. */
function expectedFailure(error: unknown, interaction: Interaction, stage: 'request' | 'body'): boolean {
  if (error instanceof CassetteMismatchError) return true
  if (stage === 'request' && !interaction.response) return true // a recorded network error, replayed
  if (stage === 'body' && interaction.response?.end) return true // a recorded cut-short body, replayed
  return false
}

async function sendOverFetch(interaction: Interaction): Promise<void> {
  let request: Request
  try {
    const body = requestBody(interaction)
    request = new Request(interaction.request.url, { method: interaction.request.method, headers: interaction.request.headers, ...(body === undefined ? {} : { body }) })
  } catch {
    return // no fetch client could send this request: nothing to replay
  }
  let response: Response
  try {
    response = await fetch(request)
  } catch (error) {
    if (expectedFailure(error, interaction, 'request')) return
    throw new Crash(`fetch: ${describeError(error)}`)
  }
  try {
    await response.arrayBuffer()
  } catch (error) {
    if (!expectedFailure(error, interaction, 'body')) throw new Crash(`body: ${describeError(error)}`)
  }
}

async function sendOverNodeHttp(interaction: Interaction): Promise<void> {
  const url = URL.canParse(interaction.request.url) ? new URL(interaction.request.url) : undefined
  if (!url || url.protocol !== 'http:') return sendOverFetch(interaction)
  let request: http.ClientRequest
  try {
    request = http.request(url, { method: interaction.request.method, headers: interaction.request.headers })
  } catch {
    return
  }
  await new Promise<void>((resolve, reject) => {
    request.on('error', (error) => (expectedFailure(error, interaction, 'request') ? resolve() : reject(new Crash(`node:http request: ${describeError(error)}`))))
    request.on('response', (response) => {
      const failed = (error: unknown) => (expectedFailure(error, interaction, 'body') ? resolve() : reject(new Crash(`node:http body: ${describeError(error)}`)))
      response.on('error', failed)
      response.on('aborted', () => failed(new Error('aborted')))
      response.on('data', () => {})
      response.on('end', () => resolve())
    })
    const body = requestBody(interaction)
    request.end(body)
  })
}

async function replayMutant(file: string, transport: MutantResult['transport']): Promise<Pick<MutantResult, 'replay' | 'detail'>> {
  let handle
  try {
    handle = startCassette(file, { mode: 'replay' })
  } catch (error) {
    if (error instanceof CassetteFormatError && error.file === file && error.message.includes(file)) return { replay: 'invalid', detail: error.message.split('\n')[0] }
    return { replay: 'crash', detail: `load: ${describeError(error)}` }
  }
  try {
    for (const interaction of handle.loaded?.interactions ?? []) {
      await (transport === 'fetch' ? sendOverFetch(interaction) : sendOverNodeHttp(interaction))
    }
    handle.steps()
    await handle.stop()
    return { replay: 'valid' }
  } catch (error) {
    await handle.stop().catch(() => undefined)
    return { replay: 'crash', detail: error instanceof Crash ? error.message : describeError(error) }
  }
}

function lintMutant(file: string): Pick<MutantResult, 'lint' | 'detail'> {
  try {
    const [check] = checkCassetteFiles([file])
    return { lint: check!.invalid === undefined ? 'valid' : 'invalid' }
  } catch (error) {
    return { lint: 'crash', detail: `lint: ${describeError(error)}` }
  }
}

/** One JSON line; U+2028/U+2029 escaped, since line readers split on them too. */
function printLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}\n`)
}

function withTimeLimit<T>(promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), CASE_TIME_LIMIT_MS)))
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer))
}

async function main(): Promise<void> {
  const [count = '1000', seed = '8'] = process.argv.slice(2)
  const dir = mkdtempSync(join(tmpdir(), 'retrace-mutants-'))
  const mutants: Mutant[] = mutateCassettes(exampleCassettes(), Number(count), Number(seed))
  let stray: unknown
  process.on('unhandledRejection', (reason) => (stray = reason))
  process.on('uncaughtException', (error) => (stray = error))
  for (const mutant of mutants) {
    const file = join(dir, `mutant-${mutant.id}.cassette.json`)
    writeFileSync(file, mutant.bytes)
    printLine({ start: mutant.id, kind: mutant.kind, source: mutant.source })
    const transport = mutant.id % 3 === 0 ? 'node:http' : 'fetch'
    const replayed = await withTimeLimit(replayMutant(file, transport), { replay: 'hang' as const, detail: `no answer within ${CASE_TIME_LIMIT_MS} ms` })
    const linted = lintMutant(file)
    await new Promise((resolve) => setImmediate(resolve))
    const result: MutantResult = { id: mutant.id, kind: mutant.kind, source: mutant.source, transport, ...replayed, ...linted }
    if (stray !== undefined) Object.assign(result, { replay: 'crash', detail: `stray error: ${describeError(stray)}` }), (stray = undefined)
    if (replayed.detail && linted.detail) result.detail = `${replayed.detail}; ${linted.detail}`
    printLine(result)
  }
  rmSync(dir, { recursive: true, force: true })
}

await main()
