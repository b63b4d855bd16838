import { expect, test } from 'vitest'
import { parseCassette } from '@retrace/cassettes'
import { interactionIndex, singleInteractionCassette, spanInteraction } from './cassette-export.ts'

const interaction = (n: number) => ({ request: { method: 'POST', url: `https://api.openai.com/v1/chat/completions?n=${n}`, headers: { authorization: '[REDACTED]' }, body: { json: { n } } }, response: { status: 200, headers: {}, body: { json: { ok: n } } } })

test('copy as cassette: one interaction, kept as recorded, in a cassette the format accepts', () => {
  const text = singleInteractionCassette(interaction(2), { recorder: '@retrace/core 0.1.0' })
  const parsed = parseCassette(text, 'copied.cassette.json')
  expect(parsed.interactions).toEqual([interaction(2)])
  expect(parsed.meta).toEqual({ recorder: '@retrace/core 0.1.0' })
  expect(parseCassette(singleInteractionCassette(interaction(1)), 'x.cassette.json').meta).toBeUndefined()
})

test('the exchange a span carries, and the interaction a pushed span points at', () => {
  expect(spanInteraction({ id: 's', interaction: interaction(3) })).toEqual(interaction(3))
  expect(spanInteraction({ id: 's' })).toBeUndefined()
  expect(interactionIndex({ interaction: 2 })).toBe(2)
  expect(interactionIndex({ interaction: -1 })).toBeUndefined()
  expect(interactionIndex(undefined)).toBeUndefined()
})
