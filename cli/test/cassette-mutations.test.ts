import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { expect, test } from 'vitest'
import type { MutantResult } from './bad-cassettes/check-mutants.ts'

// The bad-cassette fuzz test: 1,080 deterministic corruptions of the committed example
// cassettes (truncation, bit flips, type swaps, removed fields, deep nesting, huge numbers,
// invalid UTF-8, duplicate keys, bad headers and statuses, …), each replayed over fetch or
// node:http and linted. Every one must either replay or be refused with a CassetteFormatError
// naming the file, never an untyped error or a hang, and lint must give the same verdict.
//
// The cases run in a child process: the child bounds each asynchronous case itself, and this
// side kills it when a case makes no progress at all (a synchronous hang), naming the case.

const MUTANTS = 1_080
const SEED = 8
const STALL_MS = 20_000
const runner = join(import.meta.dirname, 'bad-cassettes', 'check-mutants.ts')

interface Outcome {
  results: MutantResult[]
  stalled?: { id: number; kind: string; source: string }
  exitCode: number | null
  stderr: string
}

function runMutants(): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env }
    for (const name of Object.keys(env)) if (name.startsWith('RETRACE_') || name === 'NODE_OPTIONS') delete env[name]
    const child = spawn(process.execPath, ['--conditions=@retrace/source', runner, String(MUTANTS), String(SEED)], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const results: MutantResult[] = []
    let current: Outcome['stalled']
    let stalled: Outcome['stalled']
    let stderr = ''
    let watchdog: NodeJS.Timeout | undefined
    const arm = () => {
      clearTimeout(watchdog)
      watchdog = setTimeout(() => {
        stalled = current
        child.kill('SIGKILL')
      }, STALL_MS)
    }
    arm()
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    createInterface({ input: child.stdout }).on('line', (line) => {
      arm()
      const message = JSON.parse(line) as MutantResult | { start: number; kind: string; source: string }
      if ('start' in message) current = { id: message.start, kind: message.kind, source: message.source }
      else results.push(message)
    })
    child.on('error', reject)
    child.on('close', (exitCode) => {
      clearTimeout(watchdog)
      resolve({ results, exitCode, stderr, ...(stalled ? { stalled } : {}) })
    })
  })
}

test(`${MUTANTS} corrupted cassettes: each replays or is refused with a typed error, never a crash or a hang, and lint agrees`, async () => {
  const outcome = await runMutants()
  expect(outcome.stalled, `a mutant hung synchronously: ${JSON.stringify(outcome.stalled)}`).toBeUndefined()
  expect(outcome.exitCode, outcome.stderr).toBe(0)
  expect(outcome.results).toHaveLength(MUTANTS)

  const describe = (result: MutantResult) => `#${result.id} ${result.kind} (${result.source}, ${result.transport}): replay ${result.replay}, lint ${result.lint}${result.detail ? ` — ${result.detail}` : ''}`
  const crashes = outcome.results.filter((result) => result.replay === 'crash' || result.replay === 'hang' || result.lint === 'crash')
  expect(crashes.map(describe)).toEqual([])
  const disagreements = outcome.results.filter((result) => result.replay !== result.lint)
  expect(disagreements.map(describe)).toEqual([])

  // The corpus is not trivially all-valid or all-invalid: both verdicts are exercised.
  const invalid = outcome.results.filter((result) => result.replay === 'invalid').length
  expect(invalid).toBeGreaterThan(MUTANTS / 4)
  expect(MUTANTS - invalid).toBeGreaterThan(MUTANTS / 4)
}, 180_000)
