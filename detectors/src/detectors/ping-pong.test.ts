import { describe, expect, test } from 'vitest'
import { fixtureNamed } from '../../test/fixture.ts'
import { detect } from '../index.ts'

describe('ping-pong detector', () => {
  test('two agents trading the same messages three times; the decisive step is the first hand-back', () => {
    const result = detect(fixtureNamed('ping-pong: support and billing bounce a refund').trace)
    const flag = result.flags.find((candidate) => candidate.kind === 'ping-pong')!
    expect(flag).toMatchObject({ mastMode: '1.3 step repetition', agent: 'support', spanIds: ['s3', 's1', 's2', 's4', 's5', 's6'] })
    expect(flag.message).toBe('support and billing handed the work back and forth 3 times (support → billing → …) and nothing changed between rounds.')
    expect(flag.evidence[0]).toMatch(/^support: “Transferring to billing/)
    // Each agent repeating itself is part of the ping-pong, not a separate loop.
    expect(result.flags.filter((candidate) => candidate.kind === 'loop')).toEqual([])
  })

  test('a cycle of three agents, and a turn that adds a step still repeats', () => {
    expect(detect(fixtureNamed('ping-pong: planner, coder and tester go round three times').trace, { detectors: ['ping-pong'] }).flags[0]).toMatchObject({ agent: 'planner' })
    expect(detect(fixtureNamed('ping-pong: writer and reviewer trade the same draft').trace, { detectors: ['ping-pong'] }).flags).toHaveLength(1)
  })

  test.each(['near miss: two agents alternate and make progress', 'near miss: the same exchange only twice'])('does not fire: %s', (name) => {
    expect(detect(fixtureNamed(name).trace, { detectors: ['ping-pong'] }).flags).toEqual([])
  })
})
