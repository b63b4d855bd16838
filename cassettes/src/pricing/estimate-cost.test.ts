import type { Usage } from '../schema/step.ts'
import { expect, test } from 'vitest'
import { estimateCost } from './estimate-cost.ts'
import { DEFAULT_PRICE_TABLE, type PriceTable } from './price-table.ts'

const usage: Usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 }

test('a known model is priced from the table, per 1M tokens', () => {
  expect(estimateCost('openai', 'gpt-4o-mini', usage)).toEqual({ costUsd: 0.75, pricing: 'table' })
  // 100K in / 100K out stays under Sonnet's 200K long-context threshold: $3 and $15 per 1M.
  expect(estimateCost('anthropic', 'claude-sonnet-4-5-20250929', { inputTokens: 100_000, outputTokens: 100_000 })).toEqual({
    costUsd: 1.8,
    pricing: 'table',
  })
  expect(estimateCost('gcp.gemini', 'gemini-2.5-flash', usage)).toEqual({ costUsd: 2.8, pricing: 'table' })
})

test('o3-mini and o3, gpt-4o-mini and gpt-4o are priced differently', () => {
  const o3 = estimateCost('openai', 'o3', usage).costUsd
  const o3Mini = estimateCost('openai', 'o3-mini', usage).costUsd
  expect(o3).toBe(10)
  expect(o3Mini).toBeCloseTo(5.5, 10)
  expect(estimateCost('openai', 'gpt-4o', usage).costUsd).toBe(12.5)
  expect(estimateCost('openai', 'gpt-4o-mini-2024-07-18', usage).costUsd).toBe(0.75)
})

test('dotted and hyphenated Claude ids cost the same', () => {
  const hyphen = estimateCost('anthropic', 'claude-haiku-4-5', usage)
  expect(estimateCost('anthropic', 'claude-haiku-4.5', usage)).toEqual(hyphen)
  expect(estimateCost('anthropic', 'claude-haiku-4-5-20251001', usage)).toEqual(hyphen)
  expect(hyphen).toEqual({ costUsd: 6, pricing: 'table' })
})

test('an unknown model is priced above a known flagship, and says so', () => {
  const unknown = estimateCost('openai', 'acme-llm-9000', usage)
  expect(unknown.pricing).toBe('unknown-model')
  for (const [provider, flagship] of [
    ['openai', 'gpt-5.5'],
    ['anthropic', 'claude-opus-4-6'],
    ['gcp.gemini', 'gemini-3.1-pro-preview'],
  ] as const) {
    expect(unknown.costUsd).toBeGreaterThan(estimateCost(provider, flagship, usage).costUsd)
  }
  expect(estimateCost('openai', undefined, usage).pricing).toBe('unknown-model')
})

test('no usage costs nothing', () => {
  expect(estimateCost('openai', 'gpt-4o', undefined)).toEqual({ costUsd: 0, pricing: 'no-usage' })
})

test('cache reads and writes are priced apart; Anthropic input tokens exclude the cache', () => {
  // Anthropic: 100 uncached + 10k read + 2k written, 500 out on Sonnet 4.5.
  expect(
    estimateCost('anthropic', 'claude-sonnet-4-5', { inputTokens: 100, outputTokens: 500, cacheReadTokens: 10_000, cacheWriteTokens: 2000 }).costUsd,
  ).toBeCloseTo((100 * 3 + 10_000 * 0.3 + 2000 * 3.75 + 500 * 15) / 1e6, 12)
  // OpenAI: prompt_tokens already include the cached ones.
  expect(estimateCost('openai', 'gpt-4.1', { inputTokens: 10_100, outputTokens: 500, cacheReadTokens: 10_000 }).costUsd).toBeCloseTo(
    (100 * 2 + 10_000 * 0.5 + 500 * 8) / 1e6,
    12,
  )
})

test('reasoning tokens are billed as output (they are part of outputTokens)', () => {
  const plain = estimateCost('openai', 'o4-mini', { inputTokens: 0, outputTokens: 1000 })
  const reasoning = estimateCost('openai', 'o4-mini', { inputTokens: 0, outputTokens: 1000, reasoningTokens: 900 })
  expect(reasoning).toEqual(plain)
  expect(plain.costUsd).toBeCloseTo(0.0044, 12)
})

test('prompts above a long-context threshold use the long-context rates for the whole call', () => {
  const short = estimateCost('gcp.gemini', 'gemini-2.5-pro', { inputTokens: 200_000, outputTokens: 1000 })
  const long = estimateCost('gcp.gemini', 'gemini-2.5-pro', { inputTokens: 200_001, outputTokens: 1000 })
  expect(short.costUsd).toBeCloseTo((200_000 * 1.25 + 1000 * 10) / 1e6, 12)
  expect(long.costUsd).toBeCloseTo((200_001 * 2.5 + 1000 * 15) / 1e6, 12)
  // Anthropic's threshold counts cached input too.
  const cachedLong = estimateCost('anthropic', 'claude-sonnet-4-5', { inputTokens: 1000, outputTokens: 0, cacheReadTokens: 250_000 })
  expect(cachedLong.costUsd).toBeCloseTo((1000 * 6 + 250_000 * 0.6) / 1e6, 12)
})

test('a custom table replaces the defaults, including the unknown-model rate', () => {
  const table: PriceTable = { models: { openai: { 'my-model': { input: 1, output: 2 } } }, unknownModel: { input: 100, output: 100 } }
  expect(estimateCost('openai', 'my-model-2026-01-01', usage, table)).toEqual({ costUsd: 3, pricing: 'table' })
  expect(estimateCost('openai', 'gpt-4o', usage, table)).toEqual({ costUsd: 200, pricing: 'unknown-model' })
})

test('every default entry has sane, positive prices', () => {
  for (const models of Object.values(DEFAULT_PRICE_TABLE.models)) {
    for (const [model, price] of Object.entries(models)) {
      expect(price.input, model).toBeGreaterThan(0)
      expect(price.output, model).toBeGreaterThanOrEqual(price.input)
      if (price.cacheRead !== undefined) expect(price.cacheRead, model).toBeLessThan(price.input)
    }
  }
})
