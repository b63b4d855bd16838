// A Jest `setupFilesAfterEnv` entry: registers the Retrace matchers on Jest's `expect`.
import { beforeEach, expect } from '@jest/globals'
import { retraceMatchers, startTest, type RunnerContext } from '@retrace/matchers'

interface JestMatcherState {
  testPath?: string
  currentTestName?: string
  isNot?: boolean
  snapshotState?: { _updateSnapshot?: string }
  utils: { diff(expected: unknown, received: unknown): string | null }
}

function contextOf(state: JestMatcherState): RunnerContext {
  return {
    runner: 'jest',
    testPath: state.testPath ?? 'unknown.test',
    testName: state.currentTestName ?? 'unnamed test',
    isNot: state.isNot === true,
    update: state.snapshotState?._updateSnapshot === 'all',
    // Jest does not render a diff from a custom matcher's result: the message carries it.
    diff: (expected, received) => state.utils.diff(expected, received),
  }
}

beforeEach(() => {
  const { testPath, currentTestName } = expect.getState()
  if (testPath && currentTestName) startTest(testPath, currentTestName)
})

expect.extend(retraceMatchers((state: unknown) => contextOf(state as JestMatcherState)))
