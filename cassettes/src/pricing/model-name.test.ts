import { expect, test } from 'vitest'
import { findModelPrice, normalizeModelName } from './model-name.ts'
import { DEFAULT_PRICE_TABLE } from './price-table.ts'

test.each([
  ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
  ['claude-sonnet-4-5-20250929', 'claude-sonnet-4.5'],
  ['claude-haiku-4.5', 'claude-haiku-4.5'],
  ['claude-3-5-sonnet-latest', 'claude-3.5-sonnet'],
  ['models/gemini-2.0-flash-001', 'gemini-2-flash'],
  ['openai/gpt-4.1', 'gpt-4.1'],
  ['anthropic/claude-opus-4-1', 'claude-opus-4.1'],
  ['google/gemini-2.5-pro-preview-05-06', 'gemini-2.5-pro'],
  ['gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash'],
  ['projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash', 'gemini-2.5-flash'],
  ['claude-sonnet-4-5@20250929', 'claude-sonnet-4.5'],
  ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude-3.7-sonnet'],
  ['claude-sonnet-4-0', 'claude-sonnet-4'],
  ['GPT-4-0613', 'gpt-4'],
  ['gpt-4-32k', 'gpt-4-32k'],
])('%s normalises to %s', (raw, normalised) => {
  expect(normalizeModelName(raw)).toBe(normalised)
})

test.each([
  ['o3-mini', 'o3-mini'],
  ['o3-mini-2025-01-31', 'o3-mini'],
  ['o3-2025-04-16', 'o3'],
  ['o3-pro', 'o3-pro'],
  ['gpt-4o-mini', 'gpt-4o-mini'],
  ['gpt-4o-2024-08-06', 'gpt-4o'],
  ['gpt-5-chat-latest', 'gpt-5'],
  ['gpt-5.4-mini-2026-03-17', 'gpt-5.4-mini'],
  ['gpt-5.1-codex', 'gpt-5.1'],
  ['gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'],
  ['gemini-3-pro-preview', 'gemini-3-pro'],
  ['claude-opus-4-5-20251101', 'claude-opus-4-5'],
  ['claude-opus-4-20250514', 'claude-opus-4'],
])('%s is priced as the %s entry (longest prefix wins)', (model, key) => {
  expect(findModelPrice(model, 'openai', DEFAULT_PRICE_TABLE)?.key).toBe(key)
})

test('a newer version of a known family is not mistaken for the older one', () => {
  expect(findModelPrice('gpt-5.9', 'openai', DEFAULT_PRICE_TABLE)).toBeUndefined()
  expect(findModelPrice('claude-opus-4-9', 'anthropic', DEFAULT_PRICE_TABLE)).toBeUndefined()
  expect(findModelPrice('gemini-9-pro', 'gcp.gemini', DEFAULT_PRICE_TABLE)).toBeUndefined()
})

test("the caller's provider section is searched first, then the others (gateways)", () => {
  expect(findModelPrice('anthropic/claude-sonnet-4.5', 'openai', DEFAULT_PRICE_TABLE)).toMatchObject({
    provider: 'anthropic',
    key: 'claude-sonnet-4-5',
  })
  expect(findModelPrice('', 'openai', DEFAULT_PRICE_TABLE)).toBeUndefined()
})
