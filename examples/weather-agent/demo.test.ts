import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

// `npm run demo` as a new user runs it: the last thing it prints must read as the success it
// is (the changed question refused, as expected), not as a failure.
test('the demo records, replays, and ends by saying the changed question was refused as expected', async () => {
  const demo = await promisify(execFile)(process.execPath, ['--conditions=@retrace/source', 'demo.ts'], { cwd: import.meta.dirname, encoding: 'utf8', timeout: 60_000 })
  expect(demo.stderr).toBe('')
  const lines = demo.stdout.trimEnd().split('\n')
  expect(lines).toContain('✔ identical to the recorded run')
  expect(demo.stdout).toContain('~ $.messages[1].content: What is the weather in [-Paris-]{+Rome+}?')
  expect(lines.at(-1)).toBe('✔ Refused, as expected: replay never sends a request the cassette does not hold; the diff above is what changed.')
}, 60_000)
