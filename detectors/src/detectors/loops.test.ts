import { describe, expect, test } from 'vitest'
import { fixtureNamed } from '../../test/fixture.ts'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { detect } from '../index.ts'

const loops = (trace: Parameters<typeof detect>[0], options: Parameters<typeof detect>[1] = {}) => detect(trace, { ...options, detectors: ['loop'] }).flags

describe('loop detector', () => {
  test('the same tool with the same arguments three times is a loop; the decisive step is the first repeat', () => {
    const [flag] = loops(fixtureNamed('loop: same search three times, same result').trace)
    expect(flag).toMatchObject({ kind: 'loop', mastMode: '1.3 step repetition', agent: 'researcher', spanIds: ['s3', 's2', 's4'], source: 'detector' })
    expect(flag!.message).toBe('researcher called search_web({"query":"Lyon population 2023"}) 3 times, with the same result each time.')
    expect(flag!.evidence[0]).toBe('“search_web({"query":"Lyon population 2023"})”')
    expect(flag!.confidence).toBeGreaterThan(0.8)
  })

  test('tool calls a model asked for count once, as the tool span that ran them', () => {
    const [flag] = loops(fixtureNamed('loop: a model asks for the same failing test run four times').trace)
    expect(flag!.agent).toBe('coder')
    // The tool spans answering call_0…call_3: s3, s5, s7, s9; the first repeat is s5.
    expect(flag!.spanIds).toEqual(['s5', 's3', 's7', 's9'])
  })

  test('near-identical messages (compareTexts) are a semantic loop', () => {
    const [flag] = loops(fixtureNamed('loop: the same apology, reworded slightly, three times').trace)
    expect(flag).toMatchObject({ agent: 'assistant', spanIds: ['s3', 's1', 's5'] })
    expect(flag!.message).toMatch(/^assistant sent 3 near-identical messages \(mean similarity 0\.9\d\)/)
  })

  test.each(['near miss: the same tool with a new page each time', 'near miss: polling a job whose status changes', 'near miss: the same call only twice', 'near miss: short routing chatter repeats'])(
    'does not fire: %s',
    (name) => {
      expect(loops(fixtureNamed(name).trace)).toEqual([])
    },
  )

  // Each repeat replaces a value the guard knows (a number, an id) or drops a negation: the agent
  // reports a new state, however alike the wording.
  test.each([
    ['another page', 'assistant', [1, 2, 3].map((page) => `I am reading page ${page} of the search results for the Louvre opening hours now.`)],
    ['another job id', 'exporter', ['job-4127', 'job-4128', 'job-4129'].map((job) => `The export ${job} was restarted and is now waiting in the queue.`)],
    [
      'found instead of not found',
      'assistant',
      [
        'I could not find the opening hours of the Louvre on the official page, so I will check it again.',
        'I could find the opening hours of the Louvre on the official page, so I will check it again now.',
        'I could find the opening hours of the Louvre on the official page, so I will check them again.',
      ],
    ],
  ] as const)('near-identical messages that report a new state (%s) are progress, not a loop', (_name, agent, texts) => {
    const t = new TraceBuilder('Find the Louvre opening hours.')
    for (const text of texts) t.message(agent, text)
    expect(loops(t.end('9 am'))).toEqual([])
  })

  test('minRepeats and similarThreshold are options', () => {
    const t = new TraceBuilder('Check the status page.')
    t.tool('ops', 'get_status', { service: 'api' }, { status: 'degraded' })
    t.tool('ops', 'get_status', { service: 'api' }, { status: 'degraded' })
    expect(loops(t.end('degraded'))).toEqual([])
    expect(loops(t.end('degraded'), { minRepeats: 2 })).toHaveLength(1)
    const chatty = new TraceBuilder('Plan the launch.')
    for (const text of ['We should announce the launch on Monday with a short blog post.', 'We should announce the launch on Monday with a long blog post.', 'We should announce the launch on Monday with a video blog post.']) chatty.message('pm', text)
    expect(loops(chatty.end('Monday'))).toHaveLength(1)
    expect(loops(chatty.end('Monday'), { similarThreshold: 0.99 })).toEqual([])
  })
})
