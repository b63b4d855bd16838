// The multi-agent failure detectors measured on real runs: failure attribution on the 58
// hand-crafted Who&When runs (agent-level and step-level accuracy, next to the published
// GPT-4o figures), and each detector's precision and recall on the synthetic fixtures.
// Run alone: node --conditions=@retrace/source bench/detectors.ts [--dev-details]
// (--dev-details lists every run of the development half; the held-out half is only ever
// reported in aggregate.)
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { attributeFailure, detect, DETECTOR_KINDS, importWhoAndWhen, whoAndWhenStep, type DetectorKind } from '@retrace/detectors'
import { syntheticTraces } from '../detectors/test/synthetic-traces.ts'
import { whoAndWhenDataDir } from '../test-support/who-and-when-data.ts'

/** The published Hand-Crafted figures (paper Table 1, GPT-4o judge, without the ground truth), agent / step %. */
export const PUBLISHED_WITHOUT_GROUND_TRUTH: ReadonlyArray<{ method: string; agent: number; step: number }> = [
  { method: 'all-at-once', agent: 53.44, step: 3.51 },
  { method: 'step-by-step', agent: 32.75, step: 8.77 },
  { method: 'binary search', agent: 36.21, step: 6.9 },
  { method: 'random', agent: 12.0, step: 4.16 },
]

export interface AttributionScore {
  runs: number
  agentHits: number
  stepHits: number
  unflagged: number
}

export interface RunOutcome {
  file: string
  half: 'dev' | 'held-out'
  mistakeAgent: string
  mistakeStep: number
  agent: string | undefined
  step: number | undefined
  kind: string | undefined
  /** Messages in the run. */
  messages: number
  ms: number
}

export interface DetectorPrecision {
  kind: DetectorKind
  /** Fixtures that show this failure. */
  positives: number
  /** Fixtures it flagged. */
  flagged: number
  /** Fixtures it flagged that show it. */
  correct: number
}

export interface DetectorsBench {
  /** Absent when the data set is not on this machine. */
  whoAndWhen: { dir: string; outcomes: RunOutcome[]; dev: AttributionScore; heldOut: AttributionScore; all: AttributionScore; baseline: { dev: AttributionScore; heldOut: AttributionScore; agent: string } } | undefined
  precision: DetectorPrecision[]
}

/**
 * Odd-numbered files are the development half, even-numbered the held-out half: a fixed
 * split, made before any tuning, that interleaves the published order.
 */
export function halfOf(file: string, position: number): 'dev' | 'held-out' {
  const number = Number.parseInt(file, 10)
  return (Number.isNaN(number) ? position + 1 : number) % 2 === 1 ? 'dev' : 'held-out'
}

function score(outcomes: readonly RunOutcome[]): AttributionScore {
  return {
    runs: outcomes.length,
    agentHits: outcomes.filter((o) => o.agent === o.mistakeAgent).length,
    stepHits: outcomes.filter((o) => o.step === o.mistakeStep).length,
    unflagged: outcomes.filter((o) => o.agent === undefined).length,
  }
}

/** Runs the attribution over the data set and the detectors over the synthetic fixtures. */
export function benchDetectors(): DetectorsBench {
  const precision = DETECTOR_KINDS.map((kind) => ({ kind, positives: 0, flagged: 0, correct: 0 }))
  for (const fixture of syntheticTraces()) {
    const flagged = new Set(detect(fixture.trace).flags.map((flag) => flag.kind))
    for (const row of precision) {
      const shows = fixture.expect.includes(row.kind)
      if (shows) row.positives++
      if (flagged.has(row.kind)) {
        row.flagged++
        if (shows) row.correct++
      }
    }
  }

  const dir = whoAndWhenDataDir()
  if (!dir) return { whoAndWhen: undefined, precision }
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b))
  const outcomes: RunOutcome[] = []
  // The baseline needs every run's history, so the imports are kept.
  const imported = files.map((file) => ({ file, run: importWhoAndWhen(JSON.parse(readFileSync(join(dir, file), 'utf8')), { source: file }) }))
  imported.forEach(({ file, run }, position) => {
    const started = performance.now()
    const top = attributeFailure(detect(run.trace))
    const ms = performance.now() - started
    outcomes.push({
      file,
      half: halfOf(file, position),
      mistakeAgent: run.labels!.mistakeAgent,
      mistakeStep: run.labels!.mistakeStep,
      agent: top?.agent,
      step: top ? whoAndWhenStep(run.trace, top.spanId) : undefined,
      kind: top?.kind,
      messages: run.messageSpanIds.length,
      ms,
    })
  })
  // A trivial baseline, fitted on the development half only: the agent most often at fault
  // there, and its first message in each run.
  const devOutcomes = outcomes.filter((o) => o.half === 'dev')
  const counts = new Map<string, number>()
  for (const o of devOutcomes) counts.set(o.mistakeAgent, (counts.get(o.mistakeAgent) ?? 0) + 1)
  const majority = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
  const baseline = outcomes.map((o, i) => {
    const first = imported[i]!.run.trace.spans.find((span) => span.kind === 'agent' && span.agent?.id === majority)
    return { ...o, agent: majority, step: first ? whoAndWhenStep(imported[i]!.run.trace, first.id) : undefined }
  })
  return {
    whoAndWhen: {
      dir,
      outcomes,
      dev: score(devOutcomes),
      heldOut: score(outcomes.filter((o) => o.half === 'held-out')),
      all: score(outcomes),
      baseline: { agent: majority, dev: score(baseline.filter((o) => o.half === 'dev')), heldOut: score(baseline.filter((o) => o.half === 'held-out')) },
    },
    precision,
  }
}

const pct = (hits: number, runs: number) => (runs ? ((100 * hits) / runs).toFixed(2) : '–')

/** The bench's tables as text lines (markdown tables, as the README shows them). */
export function detectorLines(bench: DetectorsBench): string[] {
  const lines: string[] = []
  const w = bench.whoAndWhen
  if (!w) {
    lines.push('Who&When: skipped, the data set is not on this machine (../shared/data/who-and-when/hand-crafted; or set WHO_AND_WHEN_DIR).')
  } else {
    const row = (name: string, s: AttributionScore) => `| ${name} | ${s.runs} | ${pct(s.agentHits, s.runs)} (${s.agentHits}) | ${pct(s.stepHits, s.runs)} (${s.stepHits}) | ${s.unflagged} |`
    const times = w.outcomes.map((o) => o.ms).sort((a, b) => a - b)
    lines.push(
      `Failure attribution on Who&When hand-crafted (${w.all.runs} failed Magentic-One runs): the top flag's agent and step against mistake_agent / mistake_step. Split fixed before tuning: odd-numbered files = development half, even-numbered = held out.`,
      '',
      '| method | runs | agent-level % | step-level % | runs with no flag |',
      '|---|---:|---:|---:|---:|',
      row('retrace detectors, development half', w.dev),
      row('retrace detectors, held-out half', w.heldOut),
      row('retrace detectors, all', w.all),
      row(`baseline: always ${w.baseline.agent} (most often at fault in the dev half), its first message, dev half`, w.baseline.dev),
      row(`baseline: the same, held-out half`, w.baseline.heldOut),
      ...PUBLISHED_WITHOUT_GROUND_TRUTH.map((p) => `| published, GPT-4o judge without the ground truth: ${p.method} | 58 | ${p.agent.toFixed(2)} | ${p.step.toFixed(2)} | – |`),
      '',
      `detect() per run: median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms (runs of ${Math.min(...w.outcomes.map((o) => o.messages))}–${Math.max(...w.outcomes.map((o) => o.messages))} messages).`,
      `Top flag kinds: ${[...countBy(w.outcomes.map((o) => o.kind ?? 'none'))].map(([kind, n]) => `${kind} ${n}`).join(', ')}.`,
      '',
    )
  }
  lines.push(
    'Detector precision and recall on the synthetic fixtures (detectors/test/synthetic-traces.ts: runs showing each failure and near-misses that must not fire):',
    '',
    '| detector | fixtures showing it | flagged | correct | precision | recall |',
    '|---|---:|---:|---:|---:|---:|',
    ...bench.precision.map((p) => `| ${p.kind} | ${p.positives} | ${p.flagged} | ${p.correct} | ${p.flagged ? (p.correct / p.flagged).toFixed(2) : '–'} | ${p.positives ? (p.correct / p.positives).toFixed(2) : '–'} |`),
  )
  return lines
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return new Map([...counts].sort((a, b) => b[1] - a[1]))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bench = benchDetectors()
  for (const line of detectorLines(bench)) console.log(line)
  if (process.argv.includes('--dev-details') && bench.whoAndWhen) {
    console.log('\nDevelopment half, run by run (file · label · attribution):')
    for (const o of bench.whoAndWhen.outcomes.filter((o) => o.half === 'dev')) {
      console.log(`${o.file.padEnd(8)} ${`${o.mistakeAgent}@${o.mistakeStep}`.padEnd(18)} → ${o.agent ? `${o.agent}@${o.step} (${o.kind})` : 'no flag'}${o.agent === o.mistakeAgent ? ' agent✓' : ''}${o.step === o.mistakeStep ? ' step✓' : ''}`)
    }
  }
}
