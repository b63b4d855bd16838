import { relative } from 'node:path'
import type { CiVerdict } from '../ci-verdict.ts'

/**
 * The CI verdict as JUnit XML: one test case per cassette outcome, failures carrying the
 * outcome as their type and the message as their text, for CI systems that chart JUnit.
 *
 * @example
 * import { ciVerdict } from '../ci-verdict.ts'
 * const entries = [{ testPath: '/repo/agent.test.ts', testName: 'books', cassette: '/repo/__cassettes__/agent.test.ts/books.cassette.json', outcome: 'diverged' as const, step: 2, message: 'the answer changed' }]
 * const verdict = ciVerdict({ entries, checks: [], tests: { command: 'vitest run', exitCode: 1 } })
 * const xml = renderJunit(verdict, '/repo')
 * // Then: writeFileSync('reports/retrace.xml', xml)
 * xml.startsWith('<?xml') // → true
 * xml.includes('__cassettes__/agent.test.ts/books.cassette.json') // → true
 * xml.includes('<failure') // → true
 */
export function renderJunit(verdict: CiVerdict, cwd: string): string {
  const cases = verdict.outcomes.map((outcome) => {
    const name = outcome.testName ?? (outcome.cassette ? relative(cwd, outcome.cassette) : 'request outside any cassette')
    const classname = outcome.testPath ? relative(cwd, outcome.testPath) : 'retrace'
    const attributes = `classname="${xml(classname)}" name="${xml(name)}"${outcome.cassette ? ` file="${xml(relative(cwd, outcome.cassette))}"` : ''}`
    if (outcome.exitCode === 0) return `    <testcase ${attributes}/>`
    const message = outcome.message ?? outcome.outcome
    return `    <testcase ${attributes}>\n      <failure type="${xml(outcome.outcome)}" message="${xml(message.split('\n')[0]!)}">${xml(message)}</failure>\n    </testcase>`
  })
  if (verdict.unexplainedFailure) {
    cases.push(`    <testcase classname="retrace" name="test command">\n      <failure type="tests-failed" message="${xml(verdict.unexplainedFailure)}"/>\n    </testcase>`)
  }
  const failures = verdict.outcomes.filter((outcome) => outcome.exitCode !== 0).length + (verdict.unexplainedFailure ? 1 : 0)
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="retrace ci replay" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="retrace ci replay" tests="${cases.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
}
