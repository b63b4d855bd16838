// Runs in every Vitest worker before the test files (added to `setupFiles` by the plugin):
// installs interception before any SDK client exists, and registers the matchers.
import { installInterception } from '@retrace/core'
import { retraceMatchers, startTest, type RunnerContext } from '@retrace/matchers'
import { beforeEach, expect } from 'vitest'
import './matcher-types.ts'

installInterception()

interface NamedTask {
  name: string
  suite?: NamedTask
  file?: { filepath: string }
  type?: string
}

// Vitest's own test name: the suite names and the test name, joined with ' > '.
function fullName(task: NamedTask): string {
  const names: string[] = []
  for (let node: NamedTask | undefined = task; node; node = node.suite) if (node.type !== 'file' && node.name) names.unshift(node.name)
  return names.join(' > ')
}

beforeEach((context) => {
  const task = context.task as unknown as NamedTask
  if (task.file) startTest(task.file.filepath, fullName(task))
})

interface VitestMatcherState {
  testPath?: string
  currentTestName?: string
  isNot: boolean
  snapshotState?: { _updateSnapshot?: string }
}

function contextOf(state: VitestMatcherState): RunnerContext {
  return {
    runner: 'vitest',
    testPath: state.testPath ?? 'unknown.test',
    testName: state.currentTestName ?? 'unnamed test',
    isNot: state.isNot,
    // The plugin sets RETRACE_UPDATE for `-u`; the snapshot state says the same from inside.
    update: state.snapshotState?._updateSnapshot === 'all',
  }
}

expect.extend(retraceMatchers((state: unknown) => contextOf(state as VitestMatcherState)))
