import { expect, test } from 'vitest'
import { parseCassette } from '@retrace/cassettes'
import { interactionIndex, singleInteractionCassette, type Cassette } from './cassette-export.ts'

const interaction = (n: number) => ({ request: { method: 'POST', url: `https://api.openai.com/v1/chat/completions?n=${n}`, headers: { authorization: '[REDACTED]' }, body: { json: { n } } }, response: { status: 200, headers: {}, body: { json: { ok: n } } } })

test('copy as cassette: one interaction, kept as recorded, in a cassette the format accepts', () => {
  const cassette = { version: 1, meta: { recorder: '@retrace/core 0.1.0' }, run: { result: 'x' }, interactions: [interaction(1), interaction(2)] } as Cassette
  const text = singleInteractionCassette(cassette, 1)
  const parsed = parseCassette(text, 'copied.cassette.json')
  expect(parsed.interactions).toEqual([interaction(2)])
  expect(parsed.meta).toEqual({ recorder: '@retrace/core 0.1.0' })
  expect(() => singleInteractionCassette(cassette, 5)).toThrow(/no interaction 6/)
})

test('the interaction a pushed span points at', () => {
  expect(interactionIndex({ interaction: 2 })).toBe(2)
  expect(interactionIndex({ interaction: -1 })).toBeUndefined()
  expect(interactionIndex(undefined)).toBeUndefined()
})
