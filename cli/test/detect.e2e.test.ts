import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { Cassette, Interaction } from '@retrace/cassettes'
import { createFixtureProject, runInProject, type FixtureProject } from '../../test-support/fixture-project.ts'
import { STUCK_TICKET_RUN, whoAndWhenDataDir } from '../../test-support/who-and-when-data.ts'
import { cassetteText, chatInteraction } from './hand-made-cassettes.ts'

// The built `retrace` binary: `import who-and-when` writes trace files, `detect` reads them
// and cassettes, with human output, --json and the --fail-on exit code.

const retraceBin = join(import.meta.dirname, '..', 'bin', 'retrace.js')
let project: FixtureProject
const retrace = (...args: string[]) => runInProject(project, process.execPath, [retraceBin, ...args])

// A model that asks for the same tool call three times and gets the same answer.
function loopingCassette(): Cassette {
  const question = { role: 'user', content: 'What is the weather in Paris?' }
  const messages: Array<Record<string, unknown>> = [question]
  const interactions: Interaction[] = []
  for (let i = 1; i <= 3; i++) {
    const id = `call_${i}`
    interactions.push(chatInteraction({ messages: structuredClone(messages) as never, toolCalls: [{ id, name: 'get_weather', arguments: { city: 'Paris' } }], id: `chatcmpl-${i}` }))
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] })
    messages.push({ role: 'tool', tool_call_id: id, content: '{"error":"service unavailable"}' })
  }
  interactions.push(chatInteraction({ messages: structuredClone(messages) as never, text: 'I could not get the weather for Paris.', id: 'chatcmpl-4' }))
  return { version: 1, interactions }
}

beforeAll(() => {
  project = createFixtureProject({
    'runs/stuck.json': JSON.stringify(STUCK_TICKET_RUN),
    'runs/broken.json': '{ "question": "no history" }',
    'single/stuck.json': JSON.stringify(STUCK_TICKET_RUN),
    'looping.cassette.json': cassetteText(loopingCassette()),
    'not-a-run.json': '{ "hello": "world" }',
    'truncated.trace.json': '{ "trace": { "id": "t" ',
  })
})

describe('retrace import who-and-when', () => {
  test('a folder: each run becomes <name>.trace.json; a file that is not a run is named and skipped (exit 2)', async () => {
    const result = await retrace('import', 'who-and-when', 'runs', '--out', 'traces')
    expect(result.code).toBe(2)
    expect(result.output).toContain('retrace: broken.json is not a Who&When run: history: ')
    expect(result.output).toContain('Imported 1 Who&When run(s), 9 message(s) into traces; 1 file(s) skipped.')
    const trace = JSON.parse(project.read('traces/stuck.trace.json')) as { version: number; spans: Array<{ kind: string }>; end: { output: string } }
    expect(trace.version).toBe(1)
    expect(trace.spans.filter((span) => span.kind === 'agent')).toHaveLength(9)
    expect(trace.end.output).toBe('$70')
    expect(project.exists('traces/broken.trace.json')).toBe(false)
  })

  test('one file without --out prints its trace; a folder without --out is a usage error', async () => {
    const single = await retrace('import', 'who-and-when', 'single/stuck.json')
    expect(single.code).toBe(0)
    expect(single.output).toContain('"name": "who-and-when stuck.json"')
    expect((await retrace('import', 'who-and-when', 'runs')).code).toBe(5)
    expect((await retrace('import', 'who-and-when', 'single/stuck.json', '--output', 'x.cassette.json')).code).toBe(5)
    expect((await retrace('import', 'har', 'single/stuck.json', '--out', 'x')).code).toBe(5)
  })
})

describe('retrace detect', () => {
  test('a trace file: the flags, most confident first, and the failure attribution', async () => {
    await retrace('import', 'who-and-when', 'runs', '--out', 'traces')
    const result = await retrace('detect', 'traces/stuck.trace.json')
    expect(result.code).toBe(0)
    expect(result.output).toContain('traces/stuck.trace.json · who-and-when stuck.json · ')
    expect(result.output).toMatch(/1\. loop · 1\.3 step repetition · WebSurfer · confidence 0\.\d+/)
    expect(result.output).toContain(`WebSurfer called click({"target":"Buy"}) 3 times, with the same result each time.`)
    expect(result.output).toMatch(/Failure attribution: WebSurfer at step \d+ \(Who&When step 4\) \(loop\)\./)
  })

  test('--json: the flags, the attribution and the topology', async () => {
    const result = await retrace('detect', 'traces/stuck.trace.json', '--json')
    expect(result.code).toBe(0)
    const report = JSON.parse(result.output) as { from: string; flags: Array<{ kind: string }>; attribution: { agent: string }; topology: { edges: Array<{ from: string; to: string; kind: string; count: number }> } }
    expect(report.from).toBe('trace')
    expect(report.flags[0]!.kind).toBe('loop')
    expect(report.attribution.agent).toBe('WebSurfer')
    expect(report.topology.edges).toContainEqual({ from: 'Orchestrator', to: 'WebSurfer', kind: 'handoff', count: 3 })
  })

  test('a cassette: the model’s repeated tool call is a loop, and --fail-on exits 7', async () => {
    const plain = await retrace('detect', 'looping.cassette.json')
    expect(plain.code).toBe(0)
    expect(plain.output).toContain('agent called get_weather({"city":"Paris"}) 3 times, with the same result each time.')
    expect(plain.output).toContain('premature-termination')
    const failing = await retrace('detect', 'looping.cassette.json', '--fail-on', 'loop')
    expect(failing.code).toBe(7)
    expect(failing.output).toContain('retrace: 1 flag(s) of a kind in --fail-on (loop).')
    expect((await retrace('detect', 'looping.cassette.json', '--fail-on', 'ping-pong')).code).toBe(0)
    expect((await retrace('detect', 'looping.cassette.json', '--detectors', 'ping-pong', '--fail-on', 'loop')).code).toBe(0)
  })

  test('bad flags exit 5; a file that is neither a cassette nor a trace exits 2 with the fix', async () => {
    const unknown = await retrace('detect', 'looping.cassette.json', '--fail-on', 'telepathy')
    expect(unknown.code).toBe(5)
    expect(unknown.output).toContain('--fail-on takes detector kinds separated by commas; unknown: telepathy.')
    expect((await retrace('detect', 'looping.cassette.json', '--min-confidence', '2')).code).toBe(5)
    expect((await retrace('detect', 'missing.trace.json')).code).toBe(5)
    const neither = await retrace('detect', 'not-a-run.json')
    expect(neither.code).toBe(2)
    expect(neither.output).toContain('it is neither a cassette (no "interactions") nor a trace file (no "spans").')
    const truncated = await retrace('detect', 'truncated.trace.json')
    expect(truncated.code).toBe(2)
    expect(truncated.output).toMatch(/not valid JSON \(line 1, column \d+/)
    expect(truncated.output).not.toMatch(/\n\s+at /)
  })
})

const dataDir = whoAndWhenDataDir()

describe.skipIf(!dataDir)('on the shared Who&When runs', () => {
  test('all 58 import, and detect reads them', async () => {
    const result = await retrace('import', 'who-and-when', dataDir!, '--out', 'who-and-when')
    expect(result.code).toBe(0)
    expect(result.output).toContain('Imported 58 Who&When run(s), 2993 message(s) into who-and-when.')
    expect(readdirSync(join(project.dir, 'who-and-when'))).toHaveLength(58)
    const detected = await retrace('detect', 'who-and-when/13.trace.json', '--json')
    expect(detected.code).toBe(0)
    expect(JSON.parse(detected.output)).toMatchObject({ from: 'trace', attribution: { agent: 'WebSurfer' } })
  })
})
