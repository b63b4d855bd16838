import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { whoAndWhenDataDir } from '../../../test-support/who-and-when-data.ts'
import { buildTopology, DetectorTraceSchema, detect, importWhoAndWhen, webSurferAction, whoAndWhenStep, WhoAndWhenFormatError } from '../index.ts'

const SCREEN = 'Here is a screenshot of [Mission Bay - Search](https://www.bing.com/search?q=mission+bay). The viewport shows 35% of the webpage, and is positioned at the top of the page.'

// A short Magentic-One run written for these tests (same shape as the published files).
const magenticOne = {
  question: 'What is the tallest building in Mission Bay?',
  ground_truth: 'Example Tower',
  question_ID: 'q-1',
  mistake_agent: 'WebSurfer',
  mistake_step: '4',
  mistake_reason: 'It stopped at the search results.',
  history: [
    { role: 'human', content: 'What is the tallest building in Mission Bay?' },
    { role: 'Orchestrator (thought)', content: 'Initial plan: search the web.' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Search for the tallest building in Mission Bay.' },
    { role: 'Orchestrator (thought)', content: 'Next speaker WebSurfer' },
    { role: 'WebSurfer', content: `I typed 'tallest building Mission Bay' into the browser search bar.\n\n${SCREEN}\nSome results.` },
    { role: 'Orchestrator (termination condition)', content: 'No agent selected.\nFINAL ANSWER: Example Tower\nSCENARIO.PY COMPLETE' },
  ],
}

describe('importWhoAndWhen', () => {
  test('one agent span per message, tagged with the speaking agent; labels map to spans', () => {
    const { trace, messageSpanIds, labels } = importWhoAndWhen(magenticOne, { source: 'q-1.json' })
    expect(DetectorTraceSchema.parse(trace)).toEqual(trace)
    const messages = trace.spans.filter((span) => span.kind === 'agent')
    expect(messages.map((span) => [span.name, span.agent?.id, span.metadata?.to ?? null])).toEqual([
      ['human', 'human', null],
      ['Orchestrator (thought)', 'Orchestrator', null],
      ['Orchestrator (-> WebSurfer)', 'Orchestrator', 'WebSurfer'],
      ['Orchestrator (thought)', 'Orchestrator', null],
      ['WebSurfer', 'WebSurfer', null],
      ['Orchestrator (termination condition)', 'Orchestrator', null],
    ])
    expect(messages.map((span) => span.id)).toEqual(messageSpanIds)
    expect(messages[4]!.agent).toEqual({ id: 'WebSurfer', parentId: 'Orchestrator' })
    expect(labels).toEqual({ mistakeAgent: 'WebSurfer', mistakeStep: 4, mistakeSpanId: messageSpanIds[4], mistakeReason: 'It stopped at the search results.' })
    expect(trace.trace).toMatchObject({ input: magenticOne.question, name: 'who-and-when q-1.json', metadata: { whoAndWhen: { ground_truth: 'Example Tower', mistake_step: '4', mistake_span_id: messageSpanIds[4] } } })
    expect(trace.end).toMatchObject({ status: 'completed', output: 'Example Tower' })
  })

  test('a WebSurfer action becomes a tool span under its message: the action in, the page out', () => {
    const { trace, messageSpanIds } = importWhoAndWhen(magenticOne)
    const action = trace.spans.find((span) => span.kind === 'tool')!
    expect(action).toMatchObject({
      id: `${messageSpanIds[4]}.action`,
      parentId: messageSpanIds[4],
      name: 'type',
      input: { text: 'tallest building Mission Bay', into: 'search bar' },
      output: { title: 'Mission Bay - Search', url: 'https://www.bing.com/search?q=mission+bay', viewport: '35% shown, at the top of the page' },
    })
    expect(whoAndWhenStep(trace, action.id)).toBe(4)
    expect(webSurferAction('I scrolled down one page in the browser.')).toEqual({ name: 'scroll', args: { direction: 'down' }, state: undefined })
    expect(webSurferAction("I clicked 'Pricing'.")?.args).toEqual({ target: 'Pricing' })
    expect(webSurferAction('The page says hello.')).toBeUndefined()
  })

  test('ids come from the content: the same run twice gives the same trace, another run another id', () => {
    expect(importWhoAndWhen(magenticOne)).toEqual(importWhoAndWhen(structuredClone(magenticOne)))
    const other = importWhoAndWhen({ ...magenticOne, question: 'Another question?' })
    expect(other.trace.trace.id).not.toBe(importWhoAndWhen(magenticOne).trace.trace.id)
    expect(importWhoAndWhen(magenticOne).trace.trace.id).toMatch(/^who-and-when-[0-9a-f]{16}$/)
  })

  test('a Magentic-One run that printed no final answer ends with a null output; an AG2 run without one has none', () => {
    const unfinished = importWhoAndWhen({ ...magenticOne, history: magenticOne.history.slice(0, 5) })
    expect(unfinished.trace.end!.output).toBeNull()
    expect(detect(unfinished.trace, { detectors: ['premature-termination'] }).flags[0]).toMatchObject({ agent: 'WebSurfer', spanIds: [unfinished.messageSpanIds[4]] })
    const ag2 = importWhoAndWhen({
      question: 'Compute 2 + 2.',
      history: [
        { role: 'user', name: 'Computer_terminal', content: 'Compute 2 + 2.' },
        { role: 'assistant', name: 'Math_Expert', content: 'The sum is 4.' },
        { role: 'assistant', name: 'Verification_Expert', content: 'I verified: 4. TERMINATE' },
      ],
      mistake_agent: 'Math_Expert',
      mistake_step: 1,
    })
    expect(ag2.trace.spans.map((span) => span.agent)).toEqual([
      { id: 'Computer_terminal', role: 'user' },
      { id: 'Math_Expert', role: 'assistant' },
      { id: 'Verification_Expert', role: 'assistant' },
    ])
    expect(ag2.trace.end).not.toHaveProperty('output')
    expect(ag2.labels?.mistakeSpanId).toBe(ag2.messageSpanIds[1])
  })

  test('input that is not a run, or a label pointing at no message, is a WhoAndWhenFormatError naming the field', () => {
    expect(() => importWhoAndWhen({ question: 'x' }, { source: 'bad.json' })).toThrow(WhoAndWhenFormatError)
    expect(() => importWhoAndWhen({ question: 'x' }, { source: 'bad.json' })).toThrow(/^bad\.json is not a Who&When run: history: /)
    expect(() => importWhoAndWhen({ question: 'x', history: [{ role: 'human', content: 42 }] })).toThrow(/history\[0\]\.content/)
    const error = (() => {
      try {
        importWhoAndWhen({ ...magenticOne, mistake_step: '6' }, { source: 'q.json' })
      } catch (caught) {
        return caught as WhoAndWhenFormatError
      }
    })()
    expect(error).toMatchObject({ code: 'RETRACE_WHO_AND_WHEN_FORMAT', field: 'mistake_step', source: 'q.json' })
    expect(error!.message).toContain('mistake_step "6" is not the index of a message (the history has 6, 0 to 5)')
  })
})

const dataDir = whoAndWhenDataDir()

describe.skipIf(!dataDir)('importWhoAndWhen on the shared Who&When hand-crafted runs', () => {
  const files = dataDir ? readdirSync(dataDir).filter((file) => file.endsWith('.json')) : []

  test('there are 58 runs', () => {
    expect(files).toHaveLength(58)
  })

  test.each(files)('%s imports, every message is a span and its labels map to one', (file) => {
    const raw = JSON.parse(readFileSync(join(dataDir!, file), 'utf8')) as { history: Array<{ role: string; content: string }>; mistake_step: string; mistake_agent: string }
    const { trace, messageSpanIds, labels } = importWhoAndWhen(raw, { source: file })
    expect(DetectorTraceSchema.safeParse(trace).success).toBe(true)
    expect(messageSpanIds).toHaveLength(raw.history.length)
    const byId = new Map(trace.spans.map((span) => [span.id, span]))
    raw.history.forEach((message, index) => {
      const span = byId.get(messageSpanIds[index]!)!
      expect(span.output).toBe(message.content)
      expect(span.name).toBe(message.role)
      expect(whoAndWhenStep(trace, span.id)).toBe(index)
    })
    expect(labels).toMatchObject({ mistakeAgent: raw.mistake_agent, mistakeStep: Number(raw.mistake_step) })
    expect(byId.has(labels!.mistakeSpanId)).toBe(true)
    expect(whoAndWhenStep(trace, labels!.mistakeSpanId)).toBe(Number(raw.mistake_step))
    expect(buildTopology(trace.spans).agents.map((agent) => agent.id)).toContain('Orchestrator')
  })
})
