import { relative } from 'node:path'
import { CassetteMismatchError, RetraceError } from '@retrace/cassettes'
import type { DivergenceResult } from '@retrace/divergence'
import type { RunnerContext } from '../runner-context.ts'
import { recordCommand, rerecordCommand } from './rerecord-command.ts'

const at = (file: string) => relative(process.cwd(), file) || file

/**
 * No cassette, and recording is not allowed here (CI, or RETRACE_MODE=replay).
 *
 * @example
 * const context = { runner: 'vitest' as const, testPath: `${process.cwd()}/agent.test.ts`, testName: 'books', isNot: false, update: false }
 * missingCassetteMessage(context, `${process.cwd()}/__cassettes__/agent.test.ts/books.cassette.json`).split('\n\n')
 * // → ['No cassette for this test: __cassettes__/agent.test.ts/books.cassette.json', 'Retrace never records under CI (or with RETRACE_MODE=replay): a missing cassette would be a live, billed call.', 'Record it on your machine, then commit it:\n  npx vitest run agent.test.ts -t books']
 */
export function missingCassetteMessage(context: RunnerContext, file: string): string {
  return [
    `No cassette for this test: ${at(file)}`,
    'Retrace never records under CI (or with RETRACE_MODE=replay): a missing cassette would be a live, billed call.',
    `Record it on your machine, then commit it:\n  ${recordCommand(context)}`,
  ].join('\n\n')
}

/**
 * The agent sent a request the golden cassette does not have: names the step, shows what
 * changed, says how to re-record.
 *
 * @example
 * import { CassetteMismatchError } from '@retrace/cassettes'
 * const context = { runner: 'jest' as const, testPath: `${process.cwd()}/agent.test.ts`, testName: 'books', isNot: false, update: false }
 * const file = `${process.cwd()}/__cassettes__/agent.test.ts/books.cassette.json`
 * const mismatch = new CassetteMismatchError({ file, reason: 'exhausted', method: 'POST', url: 'https://api.openai.com/v1/chat/completions', requestNumber: 3, recordedCount: 2 })
 * requestChangedMessage(context, mismatch, file).split('\n\n')[0]
 * // → 'The agent now makes more calls than the golden run: request #3 (POST https://api.openai.com/v1/chat/completions) was already replayed 2 time(s).'
 */
export function requestChangedMessage(context: RunnerContext, mismatch: CassetteMismatchError, file: string): string {
  const step = mismatch.closest ? `step ${mismatch.closest.index + 1}` : `request #${mismatch.requestNumber}`
  const headline =
    mismatch.reason === 'exhausted'
      ? `The agent now makes more calls than the golden run: request #${mismatch.requestNumber} (${mismatch.method} ${mismatch.url}) was already replayed ${mismatch.recordedCount} time(s).`
      : mismatch.reason === 'egress-blocked'
        ? `The agent now calls a host the golden run never called: ${mismatch.method} ${mismatch.url}.`
        : `The agent now sends a different request at ${step} (${mismatch.method} ${new URL(mismatch.url).pathname}).`
  const details = mismatch.message.split('\n\n')[0]!.split('\n').slice(1).join('\n')
  return [
    headline,
    details,
    `Cassette: ${at(file)}`,
    `If the change is intended, re-record this test:\n  ${rerecordCommand(context)}\n  (or set RETRACE_UPDATE=1)`,
  ]
    .filter(Boolean)
    .join('\n\n')
}

/**
 * The run diverged from the golden one: the layer, the first divergent step, each reason with
 * its path and similarity.
 *
 * @example
 * import { compareRuns } from '@retrace/divergence'
 * import type { StoredStep } from '@retrace/cassettes'
 * const text = (content: string): StoredStep => ({ provider: 'openai', api: 'chat.completions', operation: 'chat', streamed: false, complete: true, output: [{ type: 'text', content }] })
 * const divergence = compareRuns({ steps: [text('Your refund was approved.')] }, { steps: [text('Your refund was rejected.')] })
 * const context = { runner: 'vitest' as const, testPath: `${process.cwd()}/refund.test.ts`, testName: 'refunds', isNot: false, update: false }
 * const message = divergedMessage(context, divergence, `${process.cwd()}/__cassettes__/refund.test.ts/refunds.cassette.json`, 'replay')
 * message.startsWith('The replayed run diverged from the golden cassette at step 1 (text layer') // → true
 * message.endsWith('If the new behaviour is right, re-record: npx vitest run refund.test.ts -t refunds -u') // → true
 */
export function divergedMessage(context: RunnerContext, divergence: DivergenceResult, file: string, mode: 'replay' | 'live'): string {
  const where = divergence.firstDivergentStep !== undefined ? ` at step ${divergence.firstDivergentStep}` : ''
  const reasons = divergence.reasons.slice(0, 8).map((reason) => {
    // Text reasons already end with their similarity ("entity: Paris → Lyon (similarity 0.857)."): not twice.
    const similarity = reason.similarity !== undefined && !reason.message.includes('(similarity ') ? ` (similarity ${reason.similarity.toFixed(2)})` : ''
    return `  • ${reason.message}${similarity}`
  })
  return [
    `The ${mode === 'live' ? 'live' : 'replayed'} run diverged from the golden cassette${where} (${divergence.layer ?? 'output'} layer, similarity ${divergence.score.toFixed(2)}):`,
    reasons.join('\n') + (divergence.reasons.length > 8 ? `\n  … and ${divergence.reasons.length - 8} more` : ''),
    `Scorer: ${divergence.scorer.id}@${divergence.scorer.version}${divergence.scorer.embedding ? ` + ${divergence.scorer.embedding.id}` : ''}`,
    `Cassette: ${at(file)}`,
    `If the new behaviour is right, re-record: ${rerecordCommand(context)}`,
  ].join('\n\n')
}

/**
 * The agent threw: while recording nothing is written; while replaying, its error is shown
 * as the agent's own, never as a stack from inside Retrace.
 *
 * @example
 * agentThrewMessage(new TypeError('city is undefined'), 'record', `${process.cwd()}/__cassettes__/agent.test.ts/books.cassette.json`)
 * // → 'The agent threw while recording; nothing was written:\n\n  TypeError: city is undefined\n\nCassette: __cassettes__/agent.test.ts/books.cassette.json'
 */
export function agentThrewMessage(error: unknown, mode: 'record' | 'replay' | 'live', file: string): string {
  const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  const what = mode === 'record' ? 'while recording; nothing was written' : mode === 'live' ? 'during the live run' : 'during replay'
  const hint = error instanceof RetraceError && error.hint && !error.message.includes(error.hint) ? `\n\n${error.hint}` : ''
  return `The agent threw ${what}:\n\n  ${description.split('\n').join('\n  ')}${hint}\n\nCassette: ${at(file)}`
}

/**
 * True for the refusals a changed request produces.
 *
 * @example
 * import { CassetteMismatchError } from '@retrace/cassettes'
 * isMismatch(new CassetteMismatchError({ file: 'a.cassette.json', reason: 'unmatched', method: 'POST', url: 'https://api.openai.com/v1/responses', requestNumber: 1 })) // → true
 * isMismatch(new Error('boom')) // → false
 */
export function isMismatch(error: unknown): error is CassetteMismatchError {
  return error instanceof CassetteMismatchError
}
