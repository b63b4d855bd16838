// Runs in every Vitest worker before the test files (added to `setupFiles` by the plugin):
// installs interception before any SDK client exists, and registers the matchers.
import { AsyncLocalStorage } from 'node:async_hooks'
import { installInterception } from '@retrace/core'
import { retraceMatchers, startTest, TestContextError, type RunnerContext } from '@retrace/matchers'
import * as vitest from 'vitest'
import './matcher-types.ts'

installInterception()

interface NamedTask {
  name: string
  suite?: NamedTask
  file?: { filepath: string }
  type?: string
  concurrent?: boolean
  /** The test context; `_local` is true once the test took its own `expect` from it. */
  context?: { _local?: boolean }
}

// Vitest's own test name: the suite names and the test name, joined with ' > '.
function fullName(task: NamedTask): string {
  const names: string[] = []
  for (let node: NamedTask | undefined = task; node; node = node.suite) if (node.type !== 'file' && node.name) names.unshift(node.name)
  return names.join(' > ')
}

vitest.beforeEach((context) => {
  const task = context.task as unknown as NamedTask
  if (task.file) startTest(task.file.filepath, fullName(task))
})

// The test whose code is running, whatever the imported expect guesses. Needs Vitest's
// aroundEach; with a Vitest that lacks it, the checks below that need no async context apply.
const runningTest = new AsyncLocalStorage<NamedTask>()
const aroundEach = (vitest as { aroundEach?: (fn: (runTest: () => Promise<void>, context: { task: unknown }) => Promise<void>) => void }).aroundEach
aroundEach?.((runTest, context) => runningTest.run(context.task as NamedTask, runTest))

interface VitestMatcherState {
  testPath?: string
  currentTestName?: string
  isNot: boolean
  snapshotState?: { _updateSnapshot?: string }
  /** The test the assertion is bound to: the context's own, or the imported expect's guess. */
  task?: NamedTask
}

function contextOf(state: VitestMatcherState, matcher: string, runsAgent: boolean): RunnerContext {
  if (runsAgent) {
    const task = state.task
    if (!task) throw new TestContextError(matcher, 'outside-test')
    const running = runningTest.getStore()
    // The imported expect binds to the test started last: inside test.concurrent that may be
    // another test (its cassette would get this run), and it is refused even when the guess
    // happens to be right, so the failure does not depend on timing.
    if ((running && running !== task) || (task.concurrent && task.context?._local !== true)) throw new TestContextError(matcher, 'concurrent')
  }
  return {
    runner: 'vitest',
    testPath: state.testPath ?? 'unknown.test',
    testName: state.currentTestName ?? 'unnamed test',
    isNot: state.isNot,
    // The plugin sets RETRACE_UPDATE for `-u`; the snapshot state says the same from inside.
    update: state.snapshotState?._updateSnapshot === 'all',
  }
}

vitest.expect.extend(retraceMatchers((state: unknown, matcher, runsAgent) => contextOf(state as VitestMatcherState, matcher, runsAgent)))
