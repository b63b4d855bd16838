import type { PolicyCheck, PolicyVerdict } from '@retrace/protocol'
import type { ProjectRecord } from '../store/store.ts'

/**
 * The verdict for one policy check from the project's budgets (PROTOCOL.md §9): per run, the
 * steps made and USD spent so far (from the check itself); per day, the USD of the project's
 * stored LLM spans today (UTC). Pure: the caller reads today's spend.
 *
 * @example
 * const project = { id: 'p1', accountId: 'a1', name: 'agents', createdAt: '2026-03-01T10:00:00.000Z', budgets: { usdPerDay: 20, stepsPerRun: 10, usdPerRun: null }, maxEventsPerDay: null }
 * const check = { traceId: 't1', name: 'answer', totals: { inputTokens: 900, outputTokens: 100, usd: 0.02, durationMs: 1200, steps: 3 } }
 * decidePolicy(project, check, { usdToday: 12.5 }) // → { verdict: 'allow' }
 * decidePolicy(project, check, { usdToday: 20 }) // → { verdict: 'block', reason: 'project daily budget of $20 reached' }
 */
export function decidePolicy(project: ProjectRecord, check: PolicyCheck, usage: { usdToday: number }): PolicyVerdict {
  const { stepsPerRun, usdPerRun, usdPerDay } = project.budgets
  if (stepsPerRun !== null && check.totals.steps >= stepsPerRun) return { verdict: 'block', reason: `run step limit of ${stepsPerRun} reached` }
  if (usdPerRun !== null && check.totals.usd >= usdPerRun) return { verdict: 'block', reason: `run budget of $${usdPerRun} reached` }
  if (usdPerDay !== null && usage.usdToday >= usdPerDay) return { verdict: 'block', reason: `project daily budget of $${usdPerDay} reached` }
  return { verdict: 'allow' }
}
