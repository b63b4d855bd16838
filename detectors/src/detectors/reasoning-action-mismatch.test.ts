import { describe, expect, test } from 'vitest'
import { fixtureNamed } from '../../test/fixture.ts'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { detect } from '../index.ts'

const mismatches = (trace: Parameters<typeof detect>[0]) => detect(trace, { detectors: ['reasoning-action-mismatch'] }).flags

describe('reasoning–action mismatch detector', () => {
  test('a named value replaced by another in the call', () => {
    const [flag] = mismatches(fixtureNamed('mismatch: says Paris, asks for London').trace)
    expect(flag).toMatchObject({ kind: 'reasoning-action-mismatch', mastMode: '2.6 reasoning–action mismatch', agent: 'assistant', spanIds: ['s2', 's1'] })
    expect(flag!.message).toBe(`assistant said it would use 'Paris' with get_weather, then called it with "London".`)
    expect(flag!.evidence).toEqual([`“I'll call get_weather for 'Paris'.”`, '“get_weather({"city":"London"})”'])
  })

  test('a named tool replaced by another', () => {
    expect(mismatches(fixtureNamed('mismatch: plans a flight search, books a hotel').trace)[0]!.message).toBe('agent said it would use search_flights, then called book_hotel.')
  })

  test('a tool it said it would not use', () => {
    expect(mismatches(fixtureNamed('mismatch: promises not to delete, deletes').trace)[0]!.message).toBe('files said it would not use delete_file, then called it.')
  })

  test('an agent it said it would hand to, and another one addressed', () => {
    const [flag] = mismatches(fixtureNamed('mismatch: says it hands to the reviewer, sends to the deployer').trace)
    expect(flag).toMatchObject({ agent: 'lead', spanIds: ['s2', 's1'] })
    expect(flag!.message).toBe('lead said it would hand over to reviewer, then addressed deployer.')
  })

  test.each(['near miss: the action does what the reasoning said', 'near miss: a tool is mentioned without an intent'])('does not fire: %s', (name) => {
    expect(mismatches(fixtureNamed(name).trace)).toEqual([])
  })

  test('an intent carries over to the agent’s next action, and only the next one', () => {
    const t = new TraceBuilder('Look up the order.')
    t.llm('agent', { text: 'Let me use lookup_order for order ORD-1234.' })
    t.llm('agent', { calls: [{ name: 'lookup_order', args: { id: 'ORD-9999' } }], tools: ['lookup_order', 'refund'] })
    t.llm('agent', { calls: [{ name: 'refund', args: { id: 'ORD-9999' } }], tools: ['lookup_order', 'refund'] })
    const flags = mismatches(t.end('done'))
    expect(flags).toHaveLength(1)
    expect(flags[0]!.message).toBe('agent said it would use ORD-1234 with lookup_order, then called it with "ORD-9999".')
  })
})
