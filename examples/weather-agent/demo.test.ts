import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

// `npm run demo -- --once` as a script or CI runs it (plain `npm run demo` stays up serving the
// dashboard until Ctrl-C): the refusal of the changed question must read as the success it is,
// and the demo must end by printing where the dashboard and the share link are.
test('the demo records, replays, says the changed question was refused as expected, then prints the dashboard and a share link', async () => {
  const demo = await promisify(execFile)(process.execPath, ['--conditions=@retrace/source', 'demo.ts', '--once'], { cwd: import.meta.dirname, encoding: 'utf8', timeout: 120_000 })
  expect(demo.stderr).toBe('')
  const lines = demo.stdout.trimEnd().split('\n')
  expect(lines).toContain('✔ identical to the recorded run')
  expect(demo.stdout).toContain('~ $.messages[1].content: What is the weather in [-Paris-]{+Rome+}?')
  expect(lines).toContain('✔ Refused, as expected: replay never sends a request the cassette does not hold; the diff above is what changed.')
  expect(lines.some((line) => /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/ {2}\(sign in with the key: rt_/u.test(line))).toBe(true)
  expect(lines.at(-1)).toMatch(/^Share link: http:\/\/127\.0\.0\.1:\d+\/s\/rts_\S+ {2}\(read-only, no key needed\)$/u)
}, 150_000)
