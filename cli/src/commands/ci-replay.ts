import { spawn } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { ALLOW_HOSTS_VARIABLE, BLOCK_EGRESS_VARIABLE, readRunLedger, RUN_DIR_VARIABLE } from '@retrace/core/internal'
import { checkCassetteFiles } from '../cassette-files/check-cassette-files.ts'
import { findCassetteFiles } from '../cassette-files/find-cassette-files.ts'
import { ciVerdict, type CiVerdict } from '../ci/ci-verdict.ts'
import { detectorOutcomes } from '../ci/detector-gate.ts'
import { renderJunit } from '../ci/reports/render-junit.ts'
import { renderMarkdown } from '../ci/reports/render-markdown.ts'
import { replayGoldens } from '../ci/replay-goldens.ts'
import { detectTestCommand } from '../ci/test-command.ts'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { detectorKinds } from './detect.ts'

/** Options of `retrace ci replay`. */
export interface CiReplayOptions {
  cwd: string
  /** Pairs of format and file: `['junit', 'out.xml', 'markdown', 'out.md']`. */
  report: string[]
  allowHost: string[]
  /** The test command given after `--`. */
  command: string[]
  goldens: boolean
  /** Comma-separated detector kinds: a replayed cassette flagged with one of them fails the run (exit 7). */
  failOnDetector?: string | undefined
}

const FORMATS = ['json', 'junit', 'markdown'] as const

/**
 * `retrace ci replay`: the CI gate. Scans every cassette for secrets, runs the project's
 * tests with replay forced, recording forbidden and egress blocked, replays standalone golden
 * cassettes, with `failOnDetector` runs the multi-agent failure detectors over each replayed
 * cassette, then reports and exits with a code CI can route on (see `EXIT`).
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { bufferTerminal } from '../output/terminal.ts'
 * import { readFileSync } from 'node:fs'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * const terminal = bufferTerminal()
 * // The test command here is a stand-in that passes; in a project, `vitest run` or `jest`.
 * const command = [process.execPath, '-e', 'process.exit(0)']
 * await ciReplay({ cwd: dir, report: ['junit', 'retrace.xml'], allowHost: [], command, goldens: true }, terminal) // → 0
 * readFileSync(join(dir, 'retrace.xml'), 'utf8').startsWith('<?xml') // → true
 */
export async function ciReplay(options: CiReplayOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = resolve(options.cwd)
  const reports = readReportPairs(options.report)
  const failOnDetector = detectorKinds(options.failOnDetector, '--fail-on-detector')
  const checks = checkCassetteFiles(findCassetteFiles([cwd], cwd))
  const say = (line: string) => terminal.out(`${line}\n`)

  if (checks.some((check) => check.secrets.length)) {
    // A leaked key is urgent and makes every other result moot: report it before anything runs.
    const verdict = ciVerdict({ entries: [], checks })
    return finish(verdict, reports, cwd, terminal)
  }

  const test = detectTestCommand(cwd, options.command)
  if ('error' in test) throw new UsageError(test.error)
  const runDir = mkdtempSync(join(tmpdir(), 'retrace-ci-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Retrace installed in every Node process the command starts, before its own code, so a
    // request outside any cassette is refused even in a script with no Retrace set-up.
    NODE_OPTIONS: withSetupImport(process.env.NODE_OPTIONS),
    // Replay forced, recording forbidden, every request outside a cassette refused.
    RETRACE_MODE: 'replay',
    CI: process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0' ? process.env.CI : 'true',
    [BLOCK_EGRESS_VARIABLE]: '1',
    [RUN_DIR_VARIABLE]: runDir,
    ...(options.allowHost.length ? { [ALLOW_HOSTS_VARIABLE]: options.allowHost.join(',') } : {}),
  }
  delete env.RETRACE_UPDATE
  say(terminal.style('bold', `▶ ${checks.length} cassette(s) checked. Running ${test.display} with replay forced, recording off, egress blocked…`))
  try {
    const exitCode = await runCommand(test.command, test.args, cwd, env)
    if (exitCode === 'spawn-error') throw new UsageError(`Could not start ${test.display}: is it installed? Pass the command after --.`)
    // Goldens replay in this process, under the same rules.
    const saved = { ...process.env }
    Object.assign(process.env, { RETRACE_MODE: 'replay', [BLOCK_EGRESS_VARIABLE]: '1', [RUN_DIR_VARIABLE]: runDir })
    const goldens = options.goldens ? await replayGoldens(checks).finally(() => restoreEnv(saved)) : []
    if (goldens.length) say(`▶ Replayed ${goldens.length} standalone golden cassette(s).`)
    const entries = [...(readRunLedger(runDir) ?? []), ...goldens]
    const detected = failOnDetector && detectorOutcomes(entries, checks, failOnDetector)
    if (detected) say(`▶ Ran the failure detectors over ${detected.cassettes} replayed cassette(s); failing on ${failOnDetector.join(', ')}.`)
    const detectors = detected ? { detectors: { failOn: failOnDetector, ...detected } } : {}
    const verdict = ciVerdict({ entries, checks, tests: { command: test.display, exitCode }, ...detectors })
    return finish(verdict, reports, cwd, terminal)
  } finally {
    rmSync(runDir, { recursive: true, force: true })
  }
}

function finish(verdict: CiVerdict, reports: Array<[format: (typeof FORMATS)[number], file: string]>, cwd: string, terminal: Terminal): ExitCode {
  const markdown = renderMarkdown(verdict, cwd)
  for (const [format, file] of reports) {
    const path = resolve(cwd, file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, format === 'json' ? `${JSON.stringify(verdict, null, 2)}\n` : format === 'junit' ? renderJunit(verdict, cwd) : markdown)
  }
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown)
  printSummary(verdict, cwd, terminal)
  return verdict.exitCode
}

function printSummary(verdict: CiVerdict, cwd: string, terminal: Terminal): void {
  const { counts } = verdict
  const status = verdict.exitCode === EXIT.pass ? terminal.style('green', 'PASS') : terminal.style('red', `FAIL (exit ${verdict.exitCode})`)
  const flagged = verdict.detectors ? ` · ${counts.flagged} detector flag(s)` : ''
  terminal.out(`\nRetrace CI replay: ${status} · ${counts.passed} matched · ${counts.regressions} regression(s) · ${counts.missing} missing · ${counts.egress} unmatched egress · ${counts.secrets} secret(s)${flagged}\n`)
  for (const outcome of verdict.outcomes.filter((item) => item.exitCode !== EXIT.pass)) {
    const where = outcome.testName ? `${relative(cwd, outcome.testPath ?? '')} › ${outcome.testName}` : outcome.cassette ? relative(cwd, outcome.cassette) : 'outside any cassette'
    if (outcome.flag) {
      // The cassette is named, not only the test: a test may replay several.
      terminal.out(`  ${terminal.style('red', 'flagged')} ${outcome.flag.kind} by ${outcome.flag.agent}${outcome.step ? ` at step ${outcome.step}` : ''}: ${relative(cwd, outcome.cassette)}${outcome.testName ? ` (${where})` : ''}\n`)
      terminal.out(`    ${outcome.message?.split('\n')[0] ?? ''}\n`)
      continue
    }
    terminal.out(`  ${terminal.style('red', outcome.outcome)}${outcome.step ? ` at step ${outcome.step}` : ''}: ${where}\n`)
    if (outcome.outcome === 'egress' || outcome.outcome === 'secret') terminal.out(`    ${outcome.message?.split('\n')[0] ?? ''}\n`)
  }
  if (verdict.unexplainedFailure) terminal.out(`  ${verdict.unexplainedFailure}\n`)
}

function readReportPairs(values: readonly string[]): Array<[(typeof FORMATS)[number], string]> {
  if (values.length % 2 !== 0) throw new UsageError(`--report takes a format and a file, e.g. --report junit reports/retrace.xml (got: ${values.join(' ')}).`)
  const pairs: Array<[(typeof FORMATS)[number], string]> = []
  for (let i = 0; i < values.length; i += 2) {
    const format = values[i] as (typeof FORMATS)[number]
    if (!FORMATS.includes(format)) throw new UsageError(`Unknown report format "${values[i]}": use ${FORMATS.join(', ')}.`)
    pairs.push([format, values[i + 1]!])
  }
  return pairs
}

function runCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number | null | 'spawn-error'> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' })
    child.on('error', () => resolvePromise('spawn-error'))
    child.on('close', (code) => resolvePromise(code))
  })
}

/** `NODE_OPTIONS` plus `--import` of @retrace/core's set-up entry (the copy this CLI uses). */
function withSetupImport(nodeOptions: string | undefined): string {
  const setup = `--import=${import.meta.resolve('@retrace/core/setup')}`
  return nodeOptions?.trim() ? `${nodeOptions.trim()} ${setup}` : setup
}

function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
  Object.assign(process.env, saved)
}
