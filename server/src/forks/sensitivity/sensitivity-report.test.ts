import { describe, expect, test } from 'vitest'
import type { DivergenceResult, RunRecord } from '@retrace/divergence'
import { sensitivityReport, type VariantRun } from './sensitivity-report.ts'

// A stand-in for the divergence engine whose scores are known, so the report's arithmetic
// can be checked by hand: runs are compared by their result's first letter.
const similarity: Record<string, number> = { AA: 1, AB: 0.4, BA: 0.4, AC: 0.1, CA: 0.1, BB: 1, BC: 0.7, CB: 0.7, CC: 1 }
const letter = (run: RunRecord) => String(run.result ?? 'A')[0]!
function compare(golden: RunRecord, candidate: RunRecord): DivergenceResult {
  const score = similarity[letter(golden) + letter(candidate)]!
  const diverged = score < 1
  return { verdict: diverged ? 'diverged' : 'identical', score, reasons: [], steps: [], scorer: { id: 'test', version: '1' }, ...(diverged && golden.steps.length ? { firstDivergentStep: Number(String(candidate.result).slice(1)) } : {}) }
}
const step = (tool?: string) => ({ provider: 'openai', api: 'x', operation: 'chat', streamed: false, complete: true, input: [], tools: [], output: tool ? [{ type: 'tool_call' as const, name: tool, arguments: {} }] : [] })
const run = (result: string, tools: string[] = ['search']): RunRecord => ({ steps: [step(tools[0]), step(), step()], result })
const variant = (label: string, result: string, status = 'completed', tools?: string[]): VariantRun => ({ label, kind: label, modifiedInput: label, status, run: run(result, tools) })

describe('sensitivityReport', () => {
  test('PSS is the mean pairwise divergence; flips and per-step first divergences are counted against the original', () => {
    const original = { status: 'completed', run: run('A') }
    const variants = [variant('v1', 'A'), variant('v2', 'B2'), variant('v3', 'C3', 'failed'), variant('v4', 'A', 'completed', ['browse'])]
    const report = sensitivityReport(original, variants, compare, { k: 4, seed: 1, perturbations: ['typos'], forkPointStep: 2 })
    // Pairs: (A,B) 0.6, (A,C) 0.9, (A,A) 0, (B,C) 0.3, (B,A) 0.6, (C,A) 0.9 → 3.3 / 6.
    expect(report.sensitivity_score).toBeCloseTo(3.3 / 6, 9)
    expect(report.variants.map((row) => row.flip_reasons)).toEqual([[], ['final_answer'], ['final_answer', 'status'], ['tool_calls']])
    expect(report.flip_rate).toBe(0.75)
    expect(report.per_step_flip_rate).toEqual([
      { step: 2, rate: 0.25, variants: 1 },
      { step: 3, rate: 0.25, variants: 1 },
    ])
    expect(report).toMatchObject({ k: 4, scored: 4, seed: 1, fork_point_step: 2 })
  })

  test('fewer than two variants score 0; none flips 0', () => {
    const report = sensitivityReport({ status: 'completed', run: run('A') }, [variant('v1', 'A')], compare, { k: 2, seed: 0, perturbations: [], forkPointStep: 1 })
    expect(report).toMatchObject({ sensitivity_score: 0, flip_rate: 0, scored: 1 })
  })
})
