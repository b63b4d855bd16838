import { existsSync, statSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { CassetteFormatError, CassetteSecretError, readCassetteFile, writeCassetteFile } from '@retrace/cassettes'
import { findObsoleteCassettes, removeObsoleteCassettes } from '@retrace/matchers'
import { EXIT, mostSevere, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { findLastRunFile, LAST_RUN_FILE, LastRunError, readLastRun } from '@retrace/matchers'
import { planPrune, pruneCandidates, type CassetteOnDisk, type PrunePlan } from '../review/plan-prune.ts'

/** Options of `retrace cassette prune`. */
export interface CassettePruneOptions {
  dryRun?: boolean
  json?: boolean
  cwd?: string
}

/**
 * `retrace cassette prune`: from the last test run's record (written by the Vitest and Jest
 * reporters), deletes cassettes no test used in completely-run test files and drops the
 * interactions no test consumed from cassettes every test replayed successfully. Rewrites
 * are atomic. `--dry-run` prints the plan and changes nothing. Exit 0; 2 when a cassette it
 * had to rewrite could not be read; 4 when a rewrite was refused for a secret.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { bufferTerminal } from '../output/terminal.ts'
 * import { mkdirSync, readFileSync } from 'node:fs'
 * const terminal = bufferTerminal()
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * // A cassette with three interactions, of which the last test run replayed the second only,
 * // and the record of that run (the Vitest and Jest reporters write it).
 * const file = join(dir, '__cassettes__', 'agent.test.ts', 'paris.cassette.json')
 * mkdirSync(join(dir, '__cassettes__', 'agent.test.ts'), { recursive: true })
 * const call = (n: number) => ({ request: { method: 'GET', url: `https://api.example.com/${n}`, headers: {} }, response: { status: 200, headers: {}, body: { json: { n } } } })
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [call(0), call(1), call(2)] }))
 * const finishedAt = new Date(Date.now() + 60_000).toISOString()
 * const lastRun = { finishedAt, entries: [{ testPath: join(dir, 'agent.test.ts'), testName: 'paris', cassette: file, outcome: 'identical', used: [1] }], testFiles: [{ path: join(dir, 'agent.test.ts'), complete: true }] }
 * mkdirSync(join(dir, 'node_modules', '.cache', 'retrace'), { recursive: true })
 * writeFileSync(join(dir, 'node_modules', '.cache', 'retrace', 'last-run.json'), JSON.stringify(lastRun))
 * await cassettePrune({ dryRun: true, cwd: dir }, terminal) // → 0
 * JSON.parse(readFileSync(file, 'utf8')).interactions.length // → 3
 * await cassettePrune({ cwd: dir }, terminal) // → 0
 * JSON.parse(readFileSync(file, 'utf8')).interactions // → [call(1)]
 */
export async function cassettePrune(options: CassettePruneOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = resolve(options.cwd ?? '.')
  const file = findLastRunFile(cwd)
  if (!file) throw new LastRunError(resolve(cwd, LAST_RUN_FILE), 'missing')
  const lastRun = readLastRun(file)

  const obsolete = findObsoleteCassettes(lastRun.testFiles, lastRun.entries).map((path) => ({ file: path, modifiedMs: modifiedMs(path) }))
  const onDisk = new Map<string, CassetteOnDisk>()
  // A cassette gone since the run is not in the map: the plan says so, and it is no error.
  for (const candidate of pruneCandidates(lastRun).candidates) if (existsSync(candidate.file)) onDisk.set(candidate.file, inspect(candidate.file))
  const plan = planPrune(lastRun, obsolete, onDisk)

  const failures: Array<{ file: string; reason: string; exitCode: ExitCode }> = []
  if (!options.dryRun) {
    removeObsoleteCassettes(plan.deletions)
    for (const rewrite of plan.rewrites) {
      try {
        const cassette = readCassetteFile(rewrite.file)!
        const drop = new Set(rewrite.drop)
        await writeCassetteFile(rewrite.file, { ...cassette, interactions: cassette.interactions.filter((_, index) => !drop.has(index)) })
      } catch (error) {
        if (error instanceof CassetteSecretError) failures.push({ file: rewrite.file, reason: 'not rewritten: it holds a secret-shaped value (run retrace cassette lint)', exitCode: EXIT.secret })
        else if (error instanceof CassetteFormatError) failures.push({ file: rewrite.file, reason: error.message.split('\n')[0]!, exitCode: EXIT.missing })
        else throw error
      }
    }
  }
  const unreadable = plan.skipped.filter((skip) => onDisk.get(skip.file) !== undefined && 'error' in onDisk.get(skip.file)!)
  const exitCode = mostSevere([...failures.map((failure) => failure.exitCode), ...(unreadable.length ? [EXIT.missing] : [])])

  if (options.json) {
    terminal.out(`${JSON.stringify({ exitCode, dryRun: options.dryRun === true, lastRun: file, ...plan, failures }, null, 2)}\n`)
    return exitCode
  }
  printPlan(plan, { file, cwd, dryRun: options.dryRun === true, failures, testFiles: lastRun.testFiles.length }, terminal)
  return exitCode
}

function inspect(file: string): CassetteOnDisk {
  try {
    const cassette = readCassetteFile(file)!
    return { interactions: cassette.interactions.length, modifiedMs: modifiedMs(file) }
  } catch (error) {
    return { error: error instanceof CassetteFormatError ? error.message.split('\n')[0]! : String(error) }
  }
}

function modifiedMs(file: string): number {
  try {
    return statSync(file).mtimeMs
  } catch {
    return 0
  }
}

function printPlan(
  plan: PrunePlan,
  context: { file: string; cwd: string; dryRun: boolean; failures: Array<{ file: string; reason: string }>; testFiles: number },
  terminal: Terminal,
): void {
  const rel = (path: string) => relative(context.cwd, path) || path
  const say = (line = '') => terminal.out(`${line}\n`)
  const failed = new Set(context.failures.map((failure) => failure.file))
  const verb = (would: string, did: string) => (context.dryRun ? would : did)
  say(terminal.style('dim', `Last run: ${plan.finishedAt}, ${context.testFiles} test file(s) (${rel(context.file)})`))
  if (plan.deletions.length) {
    say(terminal.style('bold', `${verb('Would delete', 'Deleted')} ${plan.deletions.length} cassette(s) no test uses:`))
    for (const path of plan.deletions) say(`  ${terminal.style('red', '-')} ${rel(path)}`)
  }
  const rewrites = plan.rewrites.filter((rewrite) => !failed.has(rewrite.file))
  if (rewrites.length) {
    const count = rewrites.reduce((sum, rewrite) => sum + rewrite.drop.length, 0)
    say(terminal.style('bold', `${verb('Would drop', 'Dropped')} ${count} interaction(s) no test consumed, from ${rewrites.length} cassette(s):`))
    for (const rewrite of rewrites) {
      say(`  ${terminal.style('yellow', '~')} ${rel(rewrite.file)}: ${rewrite.drop.map((index) => `#${index + 1}`).join(', ')} (${rewrite.before} → ${rewrite.after} interactions)`)
    }
  }
  for (const failure of context.failures) say(`  ${terminal.style('red', '✗')} ${rel(failure.file)}: ${failure.reason}`)
  if (!plan.deletions.length && !rewrites.length && !context.failures.length) say(terminal.style('green', 'Nothing to prune: every cassette the last run checked is fully used.'))
  if (plan.skipped.length) {
    say(terminal.style('dim', `Left alone: ${plan.skipped.length} cassette(s)`))
    for (const skip of plan.skipped) say(terminal.style('dim', `  ${rel(skip.file)}: ${skip.reason}`))
  }
  if (context.dryRun && (plan.deletions.length || rewrites.length)) say('\nDry run: nothing was changed. Run without --dry-run to apply.')
}
