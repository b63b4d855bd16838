import { describe, expect, test } from 'vitest'
import { TraceBuilder } from '../../test/trace-builder.ts'
import { DetectorTraceError, parseDetectorTrace } from '../index.ts'

const valid = () => {
  const t = new TraceBuilder('Say hi.')
  t.message('greeter', 'Hi!')
  return t.end('Hi!')
}

describe('parseDetectorTrace', () => {
  test('accepts a trace of wire-protocol objects and returns it', () => {
    const trace = valid()
    expect(parseDetectorTrace(JSON.parse(JSON.stringify(trace)))).toEqual(trace)
  })

  test('names the first bad field and the fix', () => {
    const trace = valid() as unknown as { spans: Array<Record<string, unknown>> }
    trace.spans[0]!.kind = 'robot'
    const error = (() => {
      try {
        parseDetectorTrace(trace, 'run.trace.json')
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(DetectorTraceError)
    expect(error).toMatchObject({ code: 'RETRACE_TRACE_INVALID', field: '$.spans[0].kind', source: 'run.trace.json' })
    expect((error as Error).message).toMatch(/^Trace run\.trace\.json is not usable: \$\.spans\[0\]\.kind: /)
    expect((error as DetectorTraceError).hint).toMatch(/retrace import who-and-when/)
  })

  test('refuses two spans with one id, and a newer format version', () => {
    const trace = valid()
    expect(() => parseDetectorTrace({ ...trace, spans: [trace.spans[0], trace.spans[0]] })).toThrow(/two spans have the id "s1" \(\$\.spans\[1\]\.id\)/)
    expect(() => parseDetectorTrace({ ...trace, version: 2 })).toThrow(/uses trace format v2, and this Retrace reads up to v1/)
  })
})
