export { DEFAULT_PRICE_TABLE, type ModelPrice, type PriceTable, type TokenPrices } from './price-table.ts'
export { estimateCost, type CostEstimate } from './estimate-cost.ts'
export { findModelPrice, normalizeModelName, type ModelPriceMatch } from './model-name.ts'
export { promptTokens, uncachedInputTokens } from './token-accounting.ts'
