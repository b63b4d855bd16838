import { describe, expect, test } from 'vitest'
import type { Cassette } from '@retrace/cassettes'
import { everyShape, jsonChat, streamedChat } from './fixture-cassettes.ts'
import { otlpAttributes, SPAN_KIND, STATUS_CODE, toOtel, type OtlpKeyValue, type OtlpSpan } from '../../src/interop/otel.ts'

const attribute = (span: OtlpSpan, key: string) => span.attributes.find((item: OtlpKeyValue) => item.key === key)?.value

describe('toOtel', () => {
  test('one CLIENT span per LLM step with gen_ai attributes, under an invoke_agent span for the run', () => {
    const traces = toOtel(everyShape, { startTime: new Date('2025-01-31T09:00:00Z'), source: 'weather.cassette.json' })
    const resource = traces.resourceSpans[0]!
    expect(resource.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'retrace' } },
      { key: 'retrace.cassette', value: { stringValue: 'weather.cassette.json' } },
    ])
    const spans = resource.scopeSpans[0]!.spans
    expect(spans.map((span) => [span.name, span.kind])).toEqual([
      ['invoke_agent', SPAN_KIND.INTERNAL],
      ['chat gpt-4o-mini', SPAN_KIND.CLIENT],
      ['chat gpt-4o-mini', SPAN_KIND.CLIENT],
      ['chat gpt-4o-mini', SPAN_KIND.CLIENT],
    ])
    const [run, first, second, aborted] = spans
    for (const span of [first, second, aborted]) {
      expect(span!.parentSpanId).toBe(run!.spanId)
      expect(span!.traceId).toBe(run!.traceId)
    }
    expect(run!.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(first!.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(attribute(first!, 'gen_ai.provider.name')).toEqual({ stringValue: 'openai' })
    expect(attribute(first!, 'gen_ai.operation.name')).toEqual({ stringValue: 'chat' })
    expect(attribute(first!, 'gen_ai.request.model')).toEqual({ stringValue: 'gpt-4o-mini' })
    expect(attribute(first!, 'gen_ai.response.model')).toEqual({ stringValue: 'gpt-4o-mini-2024-07-18' })
    expect(attribute(first!, 'gen_ai.request.temperature')).toEqual({ doubleValue: 1 })
    expect(attribute(first!, 'gen_ai.usage.input_tokens')).toEqual({ intValue: '9' })
    expect(attribute(first!, 'gen_ai.response.finish_reasons')).toEqual({ arrayValue: { values: [{ stringValue: 'stop' }] } })
    expect(attribute(first!, 'gen_ai.request.stream')).toEqual({ boolValue: false })
    expect(attribute(first!, 'server.address')).toEqual({ stringValue: 'api.openai.com' })
    expect(attribute(first!, 'server.port')).toEqual({ intValue: '443' })
    expect(JSON.parse((attribute(first!, 'gen_ai.input.messages') as { stringValue: string }).stringValue)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] }])
    expect(attribute(second!, 'gen_ai.usage.output_tokens')).toEqual({ intValue: '3' })
    expect(first!.status).toEqual({ code: STATUS_CODE.UNSET })
    expect(aborted!.status).toEqual({ code: STATUS_CODE.ERROR, message: 'socket hang up' })
    expect(attribute(aborted!, 'error.type')).toEqual({ stringValue: '_OTHER' })
    expect(attribute(run!, 'gen_ai.operation.name')).toEqual({ stringValue: 'invoke_agent' })
    expect(attribute(run!, 'gen_ai.usage.input_tokens')).toEqual({ intValue: '14' })
    expect(attribute(run!, 'retrace.test.name')).toEqual({ stringValue: 'weather in Paris' })
  })

  test('times: spans laid end to end from the start time, in nanoseconds', () => {
    const spans = toOtel(everyShape, { startTime: new Date('2025-01-31T09:00:00Z') }).resourceSpans[0]!.scopeSpans[0]!.spans
    const base = BigInt(Date.parse('2025-01-31T09:00:00Z')) * 1_000_000n
    const ms = (value: string) => Number((BigInt(value) - base) / 1_000_000n)
    expect(spans.map((span) => [ms(span.startTimeUnixNano), ms(span.endTimeUnixNano)])).toEqual([
      [0, 125 + 95 + 70 + 16 + 40 + 2],
      [0, 125],
      [125, 220],
      [220, 290],
    ])
  })

  test('no run: step spans are roots; failures carry error.type; ids are stable', () => {
    const failed = { ...jsonChat, response: { status: 429, statusText: 'Too Many Requests', headers: {}, body: { json: { error: { message: 'slow down' } } } } }
    const cassette: Cassette = { version: 1, interactions: [jsonChat, failed, streamedChat] }
    const spans = toOtel(cassette).resourceSpans[0]!.scopeSpans[0]!.spans
    expect(spans).toHaveLength(3)
    expect(spans.every((span) => span.parentSpanId === undefined)).toBe(true)
    expect(attribute(spans[1]!, 'error.type')).toEqual({ stringValue: '429' })
    expect(spans[1]!.status).toEqual({ code: STATUS_CODE.ERROR, message: 'HTTP 429 Too Many Requests' })
    expect(spans[0]!.startTimeUnixNano).toBe('0')
    expect(toOtel(cassette)).toEqual(toOtel(structuredClone(cassette)))
    expect(new Set(spans.map((span) => span.spanId)).size).toBe(3)
  })
})

describe('otlpAttributes', () => {
  test('types values the OTLP way', () => {
    expect(otlpAttributes({ a: 'x', b: 2, c: 2.5, d: true, e: ['y'], 'retrace.cost_usd': 1 })).toEqual([
      { key: 'a', value: { stringValue: 'x' } },
      { key: 'b', value: { intValue: '2' } },
      { key: 'c', value: { doubleValue: 2.5 } },
      { key: 'd', value: { boolValue: true } },
      { key: 'e', value: { arrayValue: { values: [{ stringValue: 'y' }] } } },
      { key: 'retrace.cost_usd', value: { doubleValue: 1 } },
    ])
  })
})
