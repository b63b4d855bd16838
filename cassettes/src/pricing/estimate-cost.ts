import type { Usage } from '../schema/step.ts'
import { findModelPrice } from './model-name.ts'
import { DEFAULT_PRICE_TABLE, type PriceTable, type TokenPrices } from './price-table.ts'
import { promptTokens, uncachedInputTokens } from './token-accounting.ts'

/** An estimated cost and how it was priced. */
export interface CostEstimate {
  readonly costUsd: number
  /** `table`: a known model; `unknown-model`: the table's conservative fallback; `no-usage`: nothing to price. */
  readonly pricing: 'table' | 'unknown-model' | 'no-usage'
}

/**
 * Estimates the USD cost of one call from its token usage. Uncached input, cache reads,
 * cache writes and output are priced separately; `usage.outputTokens` must include reasoning
 * tokens (as steps' usage does on every provider), which are billed as output. A model the
 * table does not know is priced at `table.unknownModel`, a deliberately expensive rate, so
 * budgets stay armed; no usage costs 0.
 *
 * @example
 * estimateCost('openai', 'gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 })
 * // → { costUsd: 0.75, pricing: 'table' }
 * estimateCost('openai', 'my-finetune', { inputTokens: 1000, outputTokens: 0 })
 * // → { costUsd: 0.015, pricing: 'unknown-model' }
 * estimateCost('openai', 'gpt-4o', undefined) // → { costUsd: 0, pricing: 'no-usage' }
 */
export function estimateCost(
  provider: string,
  model: string | undefined,
  usage: Usage | undefined,
  table: PriceTable = DEFAULT_PRICE_TABLE,
): CostEstimate {
  if (usage === undefined) return { costUsd: 0, pricing: 'no-usage' }
  const match = model === undefined ? undefined : findModelPrice(model, provider, table)
  const price = match?.price ?? table.unknownModel
  // A long-context tier applies to the whole call once the prompt crosses its threshold.
  const long = price.longContext
  const rates: TokenPrices = long !== undefined && promptTokens(provider, usage) > long.aboveInputTokens ? long : price
  const perMillion =
    uncachedInputTokens(provider, usage) * rates.input +
    (usage.cacheReadTokens ?? 0) * (rates.cacheRead ?? rates.input) +
    (usage.cacheWriteTokens ?? 0) * (rates.cacheWrite ?? rates.input) +
    usage.outputTokens * rates.output
  // toPrecision drops float noise (0.30000000000000004) that would otherwise churn cassette diffs.
  const costUsd = Number((perMillion / 1_000_000).toPrecision(12))
  return { costUsd, pricing: match === undefined ? 'unknown-model' : 'table' }
}
