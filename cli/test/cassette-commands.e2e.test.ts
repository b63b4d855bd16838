import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'
import { cassetteText, weatherRun } from './hand-made-cassettes.ts'

// The built `retrace` binary on hand-made cassette files: show, diff and lint, with their
// exit codes.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
// Built at run time: a secret-shaped literal is never committed.
const KEY = 'sk-' + 'proj-' + 'L3ak'.repeat(10)
let project: FixtureProject

const retrace = (...args: string[]) => runInProject(project, process.execPath, [retraceBin, ...args])

beforeAll(() => {
  const leaked = JSON.parse(cassetteText(weatherRun())) as { interactions: Array<{ request: { headers: Record<string, string> } }> }
  leaked.interactions[0]!.request.headers.authorization = `Bearer ${KEY}`
  project = createFixtureProject({
    'golden/paris.cassette.json': cassetteText(weatherRun({ ping: true })),
    'golden/rerecorded.cassette.json': cassetteText(weatherRun({ ping: true, callId: 'call_again', latencyMs: 60, port: 50123 })),
    'golden/reworded.cassette.json': cassetteText(weatherRun({ ping: true, question: 'What is the weather like in Paris?' })),
    'golden/warmer.cassette.json': cassetteText(weatherRun({ ping: true, answer: 'The weather in Paris is sunny, 25 °C.' })),
    'broken/conflict.cassette.json': '<<<<<<< HEAD\n{ "version": 1 }\n',
    'broken/bad-url.cassette.json': cassetteText(weatherRun()).replace('"url": "http://127.0.0.1:40471/v1/chat/completions"', '"url": 42'),
    'leaky/leak.cassette.json': JSON.stringify(leaked, null, 2),
    'leaky/also-broken.cassette.json': '{ "version": 1, "interactions": "none" }',
  })
})

describe('retrace cassette show', () => {
  test('prints the timeline with steps, tool calls, tokens, cost, latency and totals', async () => {
    const result = await retrace('cassette', 'show', 'golden/paris.cassette.json')
    expect(result.code).toBe(0)
    expect(result.output).toContain('golden/paris.cassette.json\nrecorded by weather.test.ts › weather in Paris')
    expect(result.output).toContain('#1 GET http://127.0.0.1:40471/ping → 200 · 2 ms')
    expect(result.output).toContain('#2 Step 1 · openai gpt-4o-mini · openai.chat.completions · 4 ms')
    expect(result.output).toContain('< call get_weather {"city":"Paris"}')
    expect(result.output).toContain('Totals  2 step(s) · 1 other request(s) · 231 tokens (212 in / 19 out) · $0.000043 · 11 ms in calls')
    // Spawned with pipes: no colour codes.
    expect(result.output).not.toContain('\u001b[')
  })

  test('--json gives the same as data', async () => {
    const result = await retrace('cassette', 'show', '--json', 'golden/paris.cassette.json')
    expect(result.code).toBe(0)
    const timeline = JSON.parse(result.output) as { totals: unknown; entries: Array<{ kind: string }> }
    expect(timeline.totals).toMatchObject({ steps: 2, requests: 1, tokens: 231 })
    expect(timeline.entries.map((entry) => entry.kind)).toEqual(['request', 'step', 'step'])
  })

  test('--textconv leaves out what changes between recordings, and prints a broken file as it is', async () => {
    const one = await retrace('cassette', 'show', '--textconv', 'golden/paris.cassette.json')
    const two = await retrace('cassette', 'show', '--textconv', 'golden/rerecorded.cassette.json')
    expect(one.code).toBe(0)
    expect(one.output).toBe(two.output)
    expect(one.output).not.toMatch(/ ms\b/)
    const broken = await retrace('cassette', 'show', '--textconv', 'broken/conflict.cassette.json')
    expect(broken.code).toBe(0)
    expect(broken.output).toBe('<<<<<<< HEAD\n{ "version": 1 }\n')
  })

  test('a missing file exits 5; a broken cassette exits 2 with the file and the fix, never a stack trace', async () => {
    const missing = await retrace('cassette', 'show', 'nope.cassette.json')
    expect(missing.code).toBe(5)
    expect(missing.output).toContain('No such file: nope.cassette.json')
    const broken = await retrace('cassette', 'show', 'broken/conflict.cassette.json')
    expect(broken.code).toBe(2)
    expect(broken.output).toMatch(/conflict\.cassette\.json is not usable: it is not valid JSON/)
    expect(broken.output).toContain('restore it from git')
    expect(broken.output).not.toMatch(/\n\s+at /)
  })
})

describe('retrace cassette diff', () => {
  test('a re-recording of the same run is identical: exit 0', async () => {
    const result = await retrace('cassette', 'diff', 'golden/paris.cassette.json', 'golden/rerecorded.cassette.json')
    expect(result.output).toContain('Identical: same requests and outputs')
    expect(result.code).toBe(0)
  })

  test('a reworded prompt answered the same way is equivalent: exit 0, with the request change', async () => {
    const result = await retrace('cassette', 'diff', 'golden/paris.cassette.json', 'golden/reworded.cassette.json')
    expect(result.code).toBe(0)
    expect(result.output).toContain('Equivalent')
    expect(result.output).toContain('~ $.messages[0].content: What is the weather {+like +}in Paris?')
  })

  test('a changed answer diverged: exit 1, naming the step and the reason', async () => {
    const result = await retrace('cassette', 'diff', 'golden/paris.cassette.json', 'golden/warmer.cassette.json')
    expect(result.code).toBe(1)
    expect(result.output).toMatch(/Diverged at step 2 \(text layer/)
    expect(result.output).toContain('Step 2 · diverged')
    expect(result.output).toContain('number: 18 °C → 25 °C')
    expect(result.output).toContain('~ text: The weather in Paris is sunny, [-18-]{+25+} °C.')
  })

  test('--json, and a lower --threshold does not excuse a changed number', async () => {
    const result = await retrace('cassette', 'diff', '--json', '--threshold', '0.1', 'golden/paris.cassette.json', 'golden/warmer.cassette.json')
    expect(result.code).toBe(1)
    const diff = JSON.parse(result.output) as { verdict: string; firstDivergentStep: number; steps: Array<{ status: string }> }
    expect(diff).toMatchObject({ verdict: 'diverged', firstDivergentStep: 2 })
    expect(diff.steps.map((step) => step.status)).toEqual(['identical', 'diverged'])
  })

  test('a bad threshold or a missing argument is a usage error: exit 5', async () => {
    const threshold = await retrace('cassette', 'diff', '--threshold', '2', 'golden/paris.cassette.json', 'golden/warmer.cassette.json')
    expect(threshold.code).toBe(5)
    expect(threshold.output).toContain('--threshold takes a similarity between 0 and 1')
    const missing = await retrace('cassette', 'diff', 'golden/paris.cassette.json')
    expect(missing.code).toBe(5)
    expect(missing.output).toContain("missing required argument 'b'")
  })
})

describe('retrace cassette lint', () => {
  test('clean cassettes exit 0', async () => {
    const result = await retrace('cassette', 'lint', 'golden')
    expect(result.output).toContain('✓ 4 cassette(s) checked: 0 with a secret, 0 invalid.')
    expect(result.code).toBe(0)
  })

  test('invalid cassettes exit 2, each problem with its file and JSON path', async () => {
    const result = await retrace('cassette', 'lint', 'broken', 'golden')
    expect(result.code).toBe(2)
    expect(result.output).toContain('✗ broken/bad-url.cassette.json\n    invalid $.interactions[0].request.url: ')
    expect(result.output).toContain('✗ broken/conflict.cassette.json\n    invalid $: it is not valid JSON')
    expect(result.output).toContain('6 cassette(s) checked: 0 with a secret, 2 invalid.')
  })

  test('a planted secret exits 4, even beside invalid files, without printing it', async () => {
    const result = await retrace('cassette', 'lint')
    expect(result.code).toBe(4)
    expect(result.output).toContain('✗ leaky/leak.cassette.json\n    secret $.interactions[0].request.headers.authorization: secret-shaped value')
    expect(result.output).toContain('Fix (secret): Remove the secret')
    expect(result.output).not.toContain('L3akL3ak')
    const json = await retrace('cassette', 'lint', '--json', 'leaky')
    expect(json.code).toBe(4)
    const report = JSON.parse(json.output) as { exitCode: number; problems: Array<{ file: string; kind: string; path: string }> }
    expect(report.exitCode).toBe(4)
    expect(report.problems).toContainEqual(expect.objectContaining({ file: 'leaky/leak.cassette.json', kind: 'secret', path: '$.interactions[0].request.headers.authorization' }))
    expect(report.problems).toContainEqual(expect.objectContaining({ file: 'leaky/also-broken.cassette.json', kind: 'invalid', path: '$.interactions' }))
  })

  test('a path that does not exist is a usage error', async () => {
    const result = await retrace('cassette', 'lint', 'no-such-folder')
    expect(result.code).toBe(5)
    expect(result.output).toContain('No such file or folder: no-such-folder')
  })

  test('every command has help with an example', async () => {
    for (const command of [['cassette', 'show'], ['cassette', 'diff'], ['cassette', 'lint'], ['cassette', 'prune'], ['review'], ['git-setup']]) {
      const result = await retrace(...command, '--help')
      expect(result.code, command.join(' ')).toBe(0)
      expect(result.output, command.join(' ')).toMatch(new RegExp(`Examples:\\n  \\$ retrace ${command.join(' ')}`))
    }
  })
})
