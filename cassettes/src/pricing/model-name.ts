import type { ModelPrice, PriceTable } from './price-table.ts'

// Suffixes that name a snapshot or channel of a model, not a different model. Stripped
// repeatedly, so `gemini-2.5-flash-preview-05-20` and `claude-3-5-sonnet-latest` both work.
const SNAPSHOT_SUFFIXES: readonly RegExp[] = [
  /-\d{4}-\d{2}-\d{2}$/u, // OpenAI: gpt-4o-mini-2024-07-18
  /-\d{8}$/u, // Anthropic: claude-sonnet-4-5-20250929
  /-preview(?:-\d{2}-\d{2}(?:\d{2})?|-\d{2}-\d{4})?$/u, // Gemini: -preview, -preview-05-20, -preview-09-2025
  /-(?:latest|exp)$/u,
  /-\d{3,4}$/u, // Gemini -001, OpenAI -0613 / -0125
  /-v\d+$/u, // Bedrock: -v1, -v2
]

/**
 * A model id reduced to what identifies its price: lower-cased, without a path or gateway
 * prefix (`models/`, `openai/`, `anthropic/`, `google/`, Vertex resource paths), without date
 * or version suffixes (`-2024-07-18`, `-20250929`, `-001`, `-latest`, `-preview`, Vertex `@…`,
 * Bedrock `-v1:0`), and with version numbers spelled with a dot (`claude-haiku-4-5` and
 * `claude-haiku-4.5` both become `claude-haiku-4.5`; a trailing `.0` is dropped).
 *
 * @example
 * normalizeModelName('models/gemini-2.0-flash-001')      // → 'gemini-2-flash'
 * normalizeModelName('anthropic/claude-haiku-4-5-20251001') // → 'claude-haiku-4.5'
 * normalizeModelName('gpt-4o-mini-2024-07-18')           // → 'gpt-4o-mini'
 */
export function normalizeModelName(model: string): string {
  let name = model.trim().toLowerCase()
  name = name.slice(name.lastIndexOf('/') + 1)
  name = name
    .replace(/\[[^\]]*\]$/u, '') // Claude Code's context-size tag: claude-opus-4-6[1m]
    .replace(/@.*$/u, '') // Vertex snapshots: claude-sonnet-4-5@20250929
    .replace(/:\d+$/u, '') // Bedrock revisions: …-v1:0
    .replace(/^(?:[a-z]{2,4}\.)?anthropic\./u, '') // Bedrock ids: us.anthropic.claude-…
  for (let previous = ''; previous !== name; ) {
    previous = name
    for (const suffix of SNAPSHOT_SUFFIXES) name = name.replace(suffix, '')
  }
  return name
    .replace(/(?<=\d)-(?=\d{1,2}(?:-|$))/gu, '.') // 3-5 → 3.5 (dates are gone, so only versions remain)
    .replace(/(?<=\d)\.0(?=-|$)/gu, '') // 2.0 → 2, 4.0 → 4
}

/** A table entry that prices a model. */
export interface ModelPriceMatch {
  /** The provider section the entry was found in. */
  readonly provider: string
  /** The entry's id as written in the table. */
  readonly key: string
  readonly price: ModelPrice
}

/**
 * Finds the price of `model`: the table entry whose normalised id is the model's normalised
 * id or its longest prefix ending at a `-` boundary. So `o3-mini` never gets `o3`'s price
 * (the longer `o3-mini` entry wins), `gpt-5-chat-latest` gets `gpt-5`'s, but `gpt-5.7` is not
 * mistaken for `gpt-5` (the version is part of the id). The caller's provider section is
 * searched first, then the others (gateways serve other vendors' models over OpenAI's API).
 *
 * @example
 * import { DEFAULT_PRICE_TABLE } from './price-table.ts'
 * findModelPrice('o3-mini-2025-01-31', 'openai', DEFAULT_PRICE_TABLE)?.key // → 'o3-mini'
 * findModelPrice('gpt-5-chat-latest', 'openai', DEFAULT_PRICE_TABLE)?.key  // → 'gpt-5'
 * findModelPrice('my-finetune', 'openai', DEFAULT_PRICE_TABLE)             // → undefined
 */
export function findModelPrice(model: string, provider: string, table: PriceTable): ModelPriceMatch | undefined {
  const name = normalizeModelName(model)
  if (name === '') return undefined
  const providers = [provider, ...Object.keys(table.models).filter((p) => p !== provider)]
  for (const section of providers) {
    let best: (ModelPriceMatch & { readonly length: number }) | undefined
    for (const [key, price] of Object.entries(table.models[section] ?? {})) {
      const entry = normalizeModelName(key)
      const matches = name === entry || name.startsWith(`${entry}-`)
      if (matches && (best === undefined || entry.length > best.length)) best = { provider: section, key, price, length: entry.length }
    }
    if (best !== undefined) return { provider: best.provider, key: best.key, price: best.price }
  }
  return undefined
}
