import { describe, expect, test } from 'vitest'
import { fixtureNamed } from '../../test/fixture.ts'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { detect } from '../index.ts'

const only = (kind: 'premature-termination' | 'missing-verification') => (trace: Parameters<typeof detect>[0]) => detect(trace, { detectors: [kind] }).flags
const premature = only('premature-termination')
const unverified = only('missing-verification')

describe('premature termination detector', () => {
  test('no answer (JSON null): the decisive step is where the run stopped', () => {
    expect(premature(fixtureNamed('premature: the run stops without an answer').trace)[0]).toMatchObject({
      kind: 'premature-termination',
      mastMode: '3.1 premature termination',
      agent: 'searcher',
      spanIds: ['s2'],
      message: 'The run ended without an answer.',
      confidence: 0.9,
    })
  })

  test('a non-answer, a failed run, a quantity without a number', () => {
    expect(premature(fixtureNamed('premature: it gives up').trace)[0]!.message).toBe('The run ended with a non-answer: “I was unable to determine the third river.”.')
    expect(premature(fixtureNamed('premature: the run crashed').trace)[0]!.message).toBe('The run failed before answering (Error: unsupported file format).')
    expect(premature(fixtureNamed('premature: a quantity was asked, no number given').trace)[0]!.message).toBe('The task asks for a quantity and the answer holds no number.')
  })

  test('does not fire on an answered run, nor on a trace still running', () => {
    expect(premature(fixtureNamed('near miss: the run answered the quantity').trace)).toEqual([])
    const running = new TraceBuilder('How many moons does Neptune have?')
    running.tool('astro', 'search_web', { query: 'Neptune moons' }, { results: [] })
    expect(premature(running.running())).toEqual([])
  })
})

describe('missing verification detector', () => {
  test('an answer nobody checked: the decisive step is the one that declared it done', () => {
    const [flag] = unverified(fixtureNamed('missing verification: answers straight from one search').trace)
    expect(flag).toMatchObject({ kind: 'missing-verification', mastMode: '3.2 no or incomplete verification', agent: 'orchestrator', spanIds: ['s3', 's2'] })
    expect(flag!.message).toBe('The run answered “$1.08 billion” and no step checked it (it first appears in step 2).')
  })

  test('a plan that only says "we should verify" is not a check', () => {
    expect(unverified(fixtureNamed('missing verification: a plan mentions checking, nobody checks').trace)).toHaveLength(1)
  })

  test('a check counts when a tool, a request to another agent or a report of a done check follows the answer', () => {
    expect(unverified(fixtureNamed('near miss: a reviewer confirms the total').trace)).toEqual([])
    const requested = new TraceBuilder('What is 17 × 23?')
    requested.tool('calc', 'multiply', { a: 17, b: 23 }, { result: 391 })
    requested.message('lead', 'Please double-check 391 with a second method.', { to: 'checker' })
    expect(unverified(requested.end('391'))).toEqual([])
    const negated = new TraceBuilder('What is 17 × 23?')
    negated.tool('calc', 'multiply', { a: 17, b: 23 }, { result: 391 })
    negated.message('lead', 'The product 391 has not been verified yet, but we are done.')
    expect(unverified(negated.end('391'))).toHaveLength(1)
  })
})
