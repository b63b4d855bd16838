import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { LedgerEntry } from '@retrace/core'
import { judgeRun, runCassetteAt } from '@retrace/matchers'
import type { CassetteCheck } from '../cassette-files/check-cassette-files.ts'

/**
 * Replays every standalone golden cassette (one whose run names its entry point, as
 * `writeGoldenCassette` writes them): imports the function, calls it again with the recorded
 * input under replay, and compares the run with the divergence engine. Returns one ledger
 * entry per golden, as the test plugins would.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { checkCassetteFiles } from '../cassette-files/check-cassette-files.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const file = join(dir, 'weather.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }))
 * // A cassette a test recorded names no entry point: not a golden, the tests replay it.
 * await replayGoldens(checkCassetteFiles([file])) // → []
 */
export async function replayGoldens(checks: readonly CassetteCheck[]): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = []
  for (const check of checks) {
    const entry = check.cassette?.run?.entry
    if (!entry) continue
    const base = { testPath: resolve(dirname(check.file), entry.module), testName: `${entry.export}()`, cassette: check.file }
    let fn: unknown
    try {
      const module = (await import(pathToFileURL(base.testPath).href)) as Record<string, unknown>
      fn = module[entry.export]
    } catch (error) {
      entries.push({ ...base, outcome: 'unusable', message: `The golden's entry point ${entry.module} could not be imported: ${(error as Error).message}` })
      continue
    }
    if (typeof fn !== 'function') {
      entries.push({ ...base, outcome: 'unusable', message: `${entry.module} has no exported function ${entry.export}: the golden cassette names an entry point that no longer exists. Record it again with writeGoldenCassette.` })
      continue
    }
    const attempt = await runCassetteAt(check.file, 'replay', { kind: 'function', fn: () => (fn as (...args: unknown[]) => unknown)(...entry.input) })
    if (attempt.kind !== 'ran') {
      entries.push({ ...base, outcome: attempt.kind, message: attempt.kind === 'unusable' ? attempt.error.message : `${check.file} is missing` })
      continue
    }
    const run = attempt.run
    const mismatch = run.mismatches[0]
    if (mismatch) {
      entries.push({ ...base, outcome: mismatch.reason === 'egress-blocked' ? 'egress' : 'request-changed', message: mismatch.message, ...(mismatch.closest ? { step: mismatch.closest.index + 1 } : {}) })
      continue
    }
    if (run.error) {
      const error = run.error.value
      entries.push({ ...base, outcome: 'failed', message: `${entry.export}() threw during replay: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` })
      continue
    }
    const { divergence } = judgeRun(run)
    entries.push({
      ...base,
      outcome: divergence.verdict === 'diverged' ? 'diverged' : divergence.verdict,
      used: run.used,
      ...(divergence.verdict === 'diverged' ? { message: divergence.reasons.map((reason) => reason.message).join('\n') } : {}),
      ...(divergence.firstDivergentStep ? { step: divergence.firstDivergentStep } : {}),
    })
  }
  return entries
}
