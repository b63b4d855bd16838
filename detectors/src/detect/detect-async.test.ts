import { describe, expect, test } from 'vitest'
import { fixtureNamed } from '../../test/fixture.ts'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { createLlmJudge, detect, detectAsync, DetectorJudgeError, judgePrompt, type DetectorJudge, type JudgeRequest } from '../index.ts'

describe('detectAsync', () => {
  test('without plug-ins it returns what detect returns', async () => {
    const trace = fixtureNamed('loop: same search three times, same result').trace
    expect(await detectAsync(trace)).toEqual(detect(trace))
  })

  test('an embedder’s cosine joins the text comparisons: paraphrases become a semantic loop', async () => {
    const t = new TraceBuilder('Find a table for four tonight.')
    for (const text of ['Sadly every restaurant nearby is fully booked for tonight, I am afraid.', 'All the places around here are full this evening, unfortunately.', 'The local restaurants are completely booked up tonight, sadly.']) {
      t.message('booker', text)
    }
    const trace = t.end('No table.')
    expect((await detectAsync(trace, { detectors: ['loop'] })).flags).toEqual([])
    // A stand-in model: every text about a full restaurant gets the same vector.
    const embed = async (texts: string[]) => texts.map((text) => (/booked|full/.test(text) ? [1, 0] : [0, 1]))
    const flags = (await detectAsync(trace, { detectors: ['loop'], embedder: { id: 'stand-in', embed } })).flags
    expect(flags).toHaveLength(1)
    expect(flags[0]).toMatchObject({ kind: 'loop', agent: 'booker' })
  })

  test('a judge rescores flags and adds its own, ranked with the rest', async () => {
    const trace = fixtureNamed('ping-pong: support and billing bounce a refund').trace
    let seen: JudgeRequest | undefined
    const judge: DetectorJudge = {
      id: 'test-judge/v1',
      review: async (request) => {
        seen = request
        return {
          rescore: [{ flag: 0, confidence: 0.2 }],
          add: [{ mastMode: '2.5 ignored other agent’s input', step: 1, message: 'billing ignored the duplicate charge', evidence: ['“charged twice”'], confidence: 0.95 }],
        }
      },
    }
    const result = await detectAsync(trace, { judge })
    expect(seen!.flags.map((flag) => flag.kind)).toEqual(['premature-termination', 'ping-pong'])
    expect(seen!.steps[1]).toMatchObject({ index: 1, spanId: 's2', agent: 'billing' })
    expect(result.judge).toBe('test-judge/v1')
    expect(result.flags.map((flag) => [flag.kind, flag.agent, flag.confidence, flag.source])).toEqual([
      ['judge', 'billing', 0.95, 'test-judge/v1'],
      ['ping-pong', 'support', 0.75, 'detector'],
      ['premature-termination', 'billing', 0.2, 'detector'],
    ])
  })

  test('a failing or confused judge is a DetectorJudgeError that keeps the deterministic flags', async () => {
    const trace = fixtureNamed('premature: it gives up').trace
    const broken = { id: 'broken', review: async () => Promise.reject(new Error('429 rate limited')) }
    const error = await detectAsync(trace, { judge: broken }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DetectorJudgeError)
    expect((error as DetectorJudgeError).message).toMatch(/^The judge "broken" failed: 429 rate limited/)
    expect((error as DetectorJudgeError).flags.map((flag) => flag.kind)).toEqual(['premature-termination'])
    const confused = { id: 'confused', review: async () => ({ add: [{ mastMode: '9.9 nonsense', step: 0, message: 'x', confidence: 1 }] }) as never }
    await expect(detectAsync(trace, { judge: confused })).rejects.toThrow(/The judge "confused" failed/)
    const outOfRange = { id: 'off', review: async () => ({ add: [{ mastMode: '3.1 premature termination' as const, step: 99, message: 'x', confidence: 1 }] }) }
    await expect(detectAsync(trace, { judge: outOfRange })).rejects.toThrow(/add names step 99, and there are 1/)
  })
})

describe('createLlmJudge', () => {
  test('sends the MAST rubric, the steps and the flags, and reads the first JSON object of the answer', async () => {
    const prompts: string[] = []
    const judge = createLlmJudge({
      id: 'stub/mast-v1',
      complete: async (prompt) => {
        prompts.push(prompt)
        return 'Sure! Here is my verdict:\n```json\n{"rescore":[{"flag":0,"confidence":0.99}],"add":[]}\n```'
      },
    })
    const result = await detectAsync(fixtureNamed('premature: it gives up').trace, { judge })
    expect(result.flags[0]).toMatchObject({ kind: 'premature-termination', confidence: 0.99 })
    expect(prompts[0]).toContain('- 3.1 premature termination: ends before the task is done or the answer is reached')
    expect(prompts[0]).toContain('[0] searcher: ')
    expect(prompts[0]).toContain('(0) 3.1 premature termination · searcher · The run ended with a non-answer')
    expect(judgePrompt({ traceId: 't', task: 'x', answer: '', steps: [], flags: [], mastModes: [] })).toContain('Final answer: (none)')
  })

  test('an answer without JSON fails with the answer quoted', async () => {
    const judge = createLlmJudge({ id: 'chatty', complete: async () => 'I think it looks fine.' })
    await expect(detectAsync(fixtureNamed('premature: it gives up').trace, { judge })).rejects.toThrow(/holds no JSON object: I think it looks fine\./)
  })
})
