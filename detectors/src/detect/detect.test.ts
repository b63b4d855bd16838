import { describe, expect, test } from 'vitest'
import { RetraceConfigError } from '@retrace/cassettes'
import { fixtureNamed } from '../../test/fixture.ts'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { attributeFailure, detect, DetectionResultSchema, DETECTORS_VERSION } from '../index.ts'

describe('detect', () => {
  test('is deterministic: the same trace gives the same flags, and a copy of it too', () => {
    const trace = fixtureNamed('ping-pong: support and billing bounce a refund').trace
    const first = detect(trace)
    expect(detect(JSON.parse(JSON.stringify(trace)))).toEqual(first)
    expect(DetectionResultSchema.parse(first)).toEqual(first)
    expect(first).toMatchObject({ traceId: trace.trace.id, version: DETECTORS_VERSION })
    expect(first.detectors).toHaveLength(7)
  })

  test('ranks the most confident flag first; attribution names its agent and decisive span', () => {
    const result = detect(fixtureNamed('ping-pong: support and billing bounce a refund').trace)
    expect(result.flags.map((flag) => flag.kind)).toEqual(['premature-termination', 'ping-pong'])
    expect(attributeFailure(result)).toEqual({ agent: 'billing', spanId: 's6', kind: 'premature-termination', confidence: 0.9 })
    expect(attributeFailure(detect(fixtureNamed('near miss: the same call only twice').trace))).toBeUndefined()
  })

  test('runs only the chosen detectors and drops flags under minConfidence', () => {
    const trace = fixtureNamed('ping-pong: support and billing bounce a refund').trace
    expect(detect(trace, { detectors: ['ping-pong'] }).flags.map((flag) => flag.kind)).toEqual(['ping-pong'])
    expect(detect(trace, { minConfidence: 0.8 }).flags.map((flag) => flag.kind)).toEqual(['premature-termination'])
  })

  test('bad options are a RetraceConfigError naming the option', () => {
    const trace = new TraceBuilder('x').end('y')
    expect(() => detect(trace, { minRepeats: 1 })).toThrow(RetraceConfigError)
    expect(() => detect(trace, { minRepeats: 1 })).toThrow(/detect option minRepeats/)
    expect(() => detect(trace, { detectors: ['telepathy' as 'loop'] })).toThrow(/detect option detectors\.0/)
    expect(() => detect(trace, { treshold: 1 } as never)).toThrow(/treshold/)
  })
})
