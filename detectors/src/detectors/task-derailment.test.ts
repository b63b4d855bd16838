import { describe, expect, test } from 'vitest'
import { fixtureNamed } from '../../test/fixture.ts'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { detect } from '../index.ts'

const derailments = (trace: Parameters<typeof detect>[0], options: Parameters<typeof detect>[1] = {}) => detect(trace, { ...options, detectors: ['task-derailment'] }).flags

describe('task derailment detector', () => {
  test('an agent on task drifts for three messages; the decisive step is the first off-task one', () => {
    const [flag] = derailments(fixtureNamed('derailment: the researcher wanders off to football').trace)
    expect(flag).toMatchObject({ kind: 'task-derailment', mastMode: '2.3 task derailment', agent: 'researcher', spanIds: ['s2', 's3', 's4'] })
    expect(flag!.message).toBe('3 consecutive messages of researcher are off task (mean similarity to the task 0.00, below 0.05).')
    expect(flag!.evidence[0]).toBe('task: “Summarise ACME Corp quarterly revenue growth for Q3 2024 from the investor report.”')
  })

  test.each(['derailment: the assistant swaps the bug for a recipe', 'derailment: the planner drifts into office logistics'])('fires: %s', (name) => {
    expect(derailments(fixtureNamed(name).trace)).toHaveLength(1)
  })

  test.each(['near miss: every message stays on the task', 'near miss: a single aside', 'ping-pong: writer and reviewer trade the same draft'])('does not fire: %s', (name) => {
    expect(derailments(fixtureNamed(name).trace)).toEqual([])
  })

  test('the task comes from the options when the trace input does not hold it', () => {
    const t = new TraceBuilder('')
    t.message('researcher', 'ACME Corp quarterly revenue grew in Q3 2024 according to the investor report tables.')
    for (const text of ['The football club won the derby match on Saturday with a late penalty.', 'The striker has twelve goals this season, a record for the club.', 'Tickets for the next home game sell out fast, so book early.']) t.message('researcher', text)
    expect(derailments(t.end('8%'))).toEqual([])
    expect(derailments(t.end('8%'), { task: 'Summarise ACME Corp quarterly revenue growth for Q3 2024.' })).toHaveLength(1)
  })
})
