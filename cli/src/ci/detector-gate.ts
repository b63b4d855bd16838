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
 * const flagged = detectorOutcomes(entries, checks, ['loop', 'ping-pong'])
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
