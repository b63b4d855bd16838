import { expect, test } from 'vitest'
import { cosineSimilarity, fetchEmbeddings, rescaleCosine } from './embedding.ts'

test('cosineSimilarity', () => {
  expect(cosineSimilarity([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12)
  expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 12)
  expect(cosineSimilarity([1, 0], [-1, 0])).toBe(-1)
  expect(cosineSimilarity([0, 0], [1, 0])).toBe(0)
})

test('rescaleCosine maps the floor to 0 and 1 to 1', () => {
  expect(rescaleCosine(0.8, 0.6)).toBeCloseTo(0.5, 12)
  expect(rescaleCosine(0.2, 0.6)).toBe(0)
  expect(rescaleCosine(1, 0.3)).toBe(1)
})

test('fetchEmbeddings embeds each distinct text once and serves cosines', async () => {
  const seen: string[][] = []
  const cache = await fetchEmbeddings({ id: 'm', embed: async (texts) => (seen.push(texts), texts.map((t) => (t === 'a' ? [1, 0] : [0, 1]))) }, ['a', 'b', 'a'])
  expect(seen).toEqual([['a', 'b']])
  expect(cache.cosine('a', 'b')).toBe(0)
  expect(cache.cosine('a', 'a')).toBe(1)
  expect(cache.cosine('a', 'unknown')).toBeUndefined()
})
