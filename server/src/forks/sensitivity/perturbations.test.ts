import { describe, expect, test } from 'vitest'
import { definePerturbation, PERTURBATIONS, perturbInput, seededRandom } from './perturbations.ts'

const TEXT = 'Book 2 tickets to Paris for May 3. What is the cheapest option? Please keep it short.'
const apply = (name: string, seed: string, text = TEXT) => PERTURBATIONS.find((perturbation) => perturbation.name === name)!.apply(text, seededRandom(seed))

describe('perturbations', () => {
  test('the same input, k, seed and kinds give the same variants; another seed other ones', () => {
    const first = perturbInput([TEXT, { user: 'u1' }], { k: 12, seed: 7 })!
    expect(perturbInput([TEXT, { user: 'u1' }], { k: 12, seed: 7 })).toEqual(first)
    expect(perturbInput([TEXT, { user: 'u1' }], { k: 12, seed: 8 })).not.toEqual(first)
    // Every kind is dealt before any repeats, and the other arguments are kept.
    expect(new Set(first.slice(0, 8).map((variant) => variant.kind)).size).toBe(8)
    for (const variant of first) {
      expect(variant.input).toEqual([variant.text, { user: 'u1' }])
      expect(variant.text).not.toBe(TEXT)
      expect(variant.label).toMatch(new RegExp(`^${variant.kind}-\\d+$`))
    }
  })

  test('each kind changes the text as documented', () => {
    expect(apply('numbers', 'a')).toMatch(/Book (3|1|20) tickets to Paris for May 3\.|Book 2 tickets to Paris for May (4|2|30)\./)
    const dropped = apply('dropped_sentence', 'a')!
    expect(dropped.split(/(?<=[.!?])\s+/)).toHaveLength(2)
    expect(apply('case', 'a')!.toLowerCase()).toBe(TEXT.toLowerCase())
    expect(apply('whitespace', 'a')!.replace(/\s+/g, ' ').trim()).toBe(TEXT)
    const swapped = apply('word_order', 'a')!
    expect(swapped.split(/\W+/).sort()).toEqual(TEXT.split(/\W+/).sort())
    expect(swapped).not.toBe(TEXT)
    const typo = apply('typos', 'a')!
    expect(Math.abs(typo.length - TEXT.length)).toBeLessThanOrEqual(2)
    expect(typo).not.toBe(TEXT)
    expect(apply('paraphrase', 'a')).not.toBe(TEXT)
    expect(apply('emphasis', 'a')).not.toBe(TEXT)
    // A kind that cannot apply says so, and another one is used.
    expect(apply('numbers', 'a', 'No digits here.')).toBeUndefined()
    expect(apply('dropped_sentence', 'a', 'Just one sentence')).toBeUndefined()
    expect(perturbInput('Just one sentence', { k: 1, seed: 0, kinds: ['dropped_sentence', 'emphasis'] })![0]!.kind).toBe('emphasis')
    // Kinds that do not apply are passed over: the six that do are each used once first.
    const kinds = perturbInput('What is the weather in Paris?', { k: 6, seed: 4 })!.map((variant) => variant.kind)
    expect(new Set(kinds).size).toBe(6)
    expect(kinds).not.toContain('numbers')
  })

  test('objects: the longest string is perturbed; an input without text has no variants; custom perturbations plug in', () => {
    const [variant] = perturbInput({ city: 'Oslo', question: 'What is the weather like there today?' }, { k: 1, seed: 1, kinds: ['emphasis'] })!
    expect((variant!.input as { city: string }).city).toBe('Oslo')
    expect((variant!.input as { question: string }).question).not.toBe('What is the weather like there today?')
    expect(perturbInput([42, null], { k: 2, seed: 1 })).toBeUndefined()
    const reversed = definePerturbation({ name: 'reversed', description: 'Words in reverse order.', apply: (text) => text.split(' ').reverse().join(' ') })
    expect(perturbInput('a b c', { k: 1, seed: 0, kinds: ['reversed'], available: [reversed] })![0]).toMatchObject({ kind: 'reversed', input: 'c b a' })
    expect(() => definePerturbation({ name: 'Bad Name', description: '', apply: () => undefined })).toThrow(/lower-case/)
  })
})
