import { relative } from 'node:path'
import type { RunnerContext } from '../runner-context.ts'

/**
 * The command that re-records one test's cassettes with the runner in use.
 *
 * @example
 * rerecordCommand({ runner: 'vitest', testPath: '/repo/agent.test.ts', testName: 'books a flight' }, '/repo')
 * // → 'npx vitest run agent.test.ts -t "books a flight" -u'
 */
export function rerecordCommand(context: Pick<RunnerContext, 'runner' | 'testPath' | 'testName'>, cwd = process.cwd()): string {
  const file = quoteArgument(relative(cwd, context.testPath) || context.testPath)
  const name = quoteArgument(context.testName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return context.runner === 'jest' ? `npx jest ${file} -t ${name} -u` : `npx vitest run ${file} -t ${name} -u`
}

/**
 * The command that records a missing cassette: the same, without `-u`.
 *
 * @example
 * recordCommand({ runner: 'jest', testPath: '/repo/agent.test.ts', testName: 'books' }, '/repo') // → 'npx jest agent.test.ts -t books'
 */
export function recordCommand(context: Pick<RunnerContext, 'runner' | 'testPath' | 'testName'>, cwd = process.cwd()): string {
  return rerecordCommand(context, cwd).replace(/ -u$/, '')
}

function quoteArgument(text: string): string {
  return /^[\w./@-]+$/.test(text) ? text : `"${text.replace(/(["\\$`])/g, '\\$1')}"`
}
