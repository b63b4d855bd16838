import { expect, test } from 'vitest'
import type { WireEvent } from '@retrace/protocol'
import { SECRET_SHAPES } from '../../../test-support/secret-corpus.ts'
import { maskEventSecrets } from './mask-event-secrets.ts'

const AT = '2026-03-01T10:00:00.000Z'
const span = (id: string, extra: Record<string, unknown>): WireEvent => ({ type: 'span', id, span: { id, traceId: 't1', kind: 'tool', name: 'x', startedAt: AT, endedAt: AT, durationMs: 1, status: 'ok', ...extra } }) as WireEvent
const [openai, stripe] = [SECRET_SHAPES.find((shape) => shape.name === 'openai project key')!, SECRET_SHAPES.find((shape) => shape.name === 'stripe secret key')!]

test('counts masked values per event, keeps clean events as they are, and refuses an event whose id is a secret', () => {
  const clean = span('clean', { output: { ok: true } })
  const leaky = span('leaky', { input: { key: openai.value }, output: `use ${stripe.value}`, metadata: { note: stripe.value } })
  const badId = span(stripe.value, {})
  const result = maskEventSecrets([clean, leaky, badId])
  expect(result.events[0]).toEqual(clean)
  expect(result.secrets).toEqual([0, 3])
  expect(JSON.stringify(result.events[1])).not.toContain(openai.value)
  expect(JSON.stringify(result.events[1])).not.toContain(stripe.value)
  expect((result.events[1] as Extract<WireEvent, { type: 'span' }>).span.output).toBe('use [REDACTED:stripe-key]')
  expect(result.rejected).toEqual([{ id: '[REDACTED:stripe-key]', message: 'id, span.id: a secret-shaped value; ids must not carry secrets, so nothing of this event was stored.' }])
})

test('a batch without secrets comes back unchanged', () => {
  const events = [span('a', { input: 'hello' }), span('b', { output: { n: 1 } })]
  expect(maskEventSecrets(events)).toEqual({ events, secrets: [0, 0], rejected: [] })
})

test('ids are scanned apart: a secret in a trace id refuses the event; the SDK’s UUID ids are kept as they are', () => {
  const sdkId = '0b5c2a57-6f1e-4d8a-9c3b-2e7f1a6d4c90'
  const leaky = { ...span(sdkId, { output: stripe.value }), span: { ...(span(sdkId, {}) as Extract<WireEvent, { type: 'span' }>).span, traceId: `${sdkId}`, parentId: `${sdkId}`, output: stripe.value } } as WireEvent
  const secretTrace = { ...span('s2', {}), span: { ...(span('s2', {}) as Extract<WireEvent, { type: 'span' }>).span, traceId: openai.value } } as WireEvent
  const result = maskEventSecrets([leaky, secretTrace])
  expect(result.events).toHaveLength(1)
  expect(result.events[0]).toMatchObject({ id: sdkId, span: { id: sdkId, traceId: sdkId, parentId: sdkId, output: '[REDACTED:stripe-key]' } })
  expect(result.rejected).toEqual([{ id: 's2', message: 'span.traceId: a secret-shaped value; ids must not carry secrets, so nothing of this event was stored.' }])
})
