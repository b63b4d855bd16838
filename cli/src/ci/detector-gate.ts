import { basename, resolve } from 'node:path'
import type { LedgerEntry } from '@retrace/core'
import { detect, type DetectorKind } from '@retrace/detectors'
import type { CassetteCheck } from '../cassette-files/check-cassette-files.ts'
import { cassetteTrace } from '../detect/cassette-trace.ts'
import { EXIT } from '../exit-codes.ts'
import type { CiOutcome } from './ci-verdict.ts'

/** Outcomes that mean the cassette was not replayed (nothing to read). */
const NOT_REPLAYED = new Set<LedgerEntry['outcome']>(['missing', 'unusable', 'recorded'])

/**
 * `retrace ci replay --fail-on-detector <kinds>`: runs the multi-agent failure detectors over
 * each cassette the run replayed that holds LLM steps (the agent's spans: each step becomes
 * one of agent `agent`, as `retrace detect` reads a cassette) and returns one `flagged`
 * outcome (exit 7) per flag of a chosen kind, naming the cassette, the kind, the agent and
 * the step. Pure: the cassettes were already read and validated by the secret scan.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { checkCassetteFiles } from '../cassette-files/check-cassette-files.ts'
 * const search = () => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Population of Lyon in 2023?' }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'search_web', arguments: '{"query":"Lyon population 2023"}' } }] }, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const file = join(mkdtempSync(join(tmpdir(), 'retrace-')), 'lyon.cassette.json')
 * writeFileSync(file, JSON.stringify({ version: 1, interactions: [search(), search(), search()] }))
 * const entries = [{ testPath: '/repo/agent.test.ts', testName: 'lyon', cassette: file, outcome: 'identical' as const }]
 * const { outcomes, cassettes } = detectorOutcomes(entries, checkCassetteFiles([file]), ['loop', 'ping-pong'])
 * cassettes // → 1
 * outcomes.map((outcome) => [outcome.outcome, outcome.exitCode, outcome.flag?.kind]) // → [['flagged', 7, 'loop']]
 */
export function detectorOutcomes(entries: readonly LedgerEntry[], checks: readonly CassetteCheck[], kinds: readonly DetectorKind[]): { outcomes: CiOutcome[]; cassettes: number } {
  const cassettes = new Map(checks.flatMap((check) => (check.cassette ? [[resolve(check.file), check.cassette] as const] : [])))
  const seen = new Set<string>()
  const outcomes: CiOutcome[] = []
  for (const entry of entries) {
    if (!entry.cassette || NOT_REPLAYED.has(entry.outcome)) continue
    const file = resolve(entry.cassette)
    const cassette = cassettes.get(file)
    if (!cassette || seen.has(file)) continue
    const trace = cassetteTrace(cassette, basename(file))
    if (trace.spans.length === 0) continue
    seen.add(file)
    for (const flag of detect(trace).flags) {
      if (!(kinds as readonly string[]).includes(flag.kind)) continue
      const step = trace.spans.findIndex((span) => span.id === flag.spanIds[0]) + 1
      outcomes.push({
        outcome: 'flagged',
        exitCode: EXIT.flagged,
        cassette: entry.cassette,
        ...(entry.testPath ? { testPath: entry.testPath, testName: entry.testName } : {}),
        ...(step > 0 ? { step } : {}),
        message: `${flag.kind} (${flag.mastMode}) by ${flag.agent}${step > 0 ? ` at step ${step}` : ''}: ${flag.message}${flag.evidence.length ? `\n${flag.evidence.slice(0, 3).join('\n')}` : ''}`,
        flag: { kind: flag.kind, mastMode: flag.mastMode, agent: flag.agent, spanId: flag.spanIds[0]!, confidence: flag.confidence },
      })
    }
  }
  return { outcomes, cassettes: seen.size }
}
