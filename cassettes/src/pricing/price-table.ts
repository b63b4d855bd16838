/** USD per 1M tokens for each kind of token a call is billed for. */
export interface TokenPrices {
  /** Uncached input tokens. */
  readonly input: number
  /** Output tokens, reasoning/thinking tokens included (they are billed as output). */
  readonly output: number
  /** Input tokens read from the prompt cache; charged as `input` when absent. */
  readonly cacheRead?: number
  /** Input tokens written to the prompt cache (Anthropic's 5-minute write); charged as `input` when absent. */
  readonly cacheWrite?: number
}

/** The price of one model, with an optional higher tier for long prompts. */
export interface ModelPrice extends TokenPrices {
  /** Rates for a whole call whose prompt (cache included) exceeds `aboveInputTokens`. */
  readonly longContext?: TokenPrices & { readonly aboveInputTokens: number }
}

/**
 * Model prices by provider (`gen_ai.provider.name`), then by model id as the provider spells
 * it. Ids are matched leniently (see `findModelPrice`), so one entry covers dated snapshots,
 * `-latest` aliases and dotted or hyphenated version numbers.
 */
export interface PriceTable {
  readonly models: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>>
  /**
   * Charged for a model the table does not know. Deliberately expensive (a flagship tier,
   * not zero and not a cheap model) so that a cost budget still trips on an unpriced model.
   */
  readonly unknownModel: ModelPrice
}

// Anthropic's cache multipliers: 5-minute writes cost 1.25× input, reads 0.1× input.
const anthropic = (input: number, output: number): ModelPrice => ({
  input,
  output,
  cacheWrite: input * 1.25,
  cacheRead: input * 0.1,
})

// Sonnet 4.x with the 1M-token context window: prompts above 200K tokens are billed at 2× input, 1.5× output.
const sonnet4: ModelPrice = {
  ...anthropic(3, 15),
  longContext: { aboveInputTokens: 200_000, input: 6, output: 22.5, cacheWrite: 7.5, cacheRead: 0.6 },
}

// GPT-5.4 and later 1M-context models: prompts above 272K tokens are billed at 2× input, 1.5× output.
const openaiLongContext = (input: number, output: number, cacheRead?: number): ModelPrice => ({
  input,
  output,
  ...(cacheRead === undefined ? {} : { cacheRead }),
  longContext: {
    aboveInputTokens: 272_000,
    input: input * 2,
    output: output * 1.5,
    ...(cacheRead === undefined ? {} : { cacheRead: cacheRead * 2 }),
  },
})

/**
 * Built-in list prices, USD per 1M tokens (standard tier, no batch or priority discounts).
 *
 * These are the providers' published list prices at the time of writing (mid-2026: OpenAI's
 * pricing and model pages, Anthropic's pricing page, Google's Gemini Developer API pricing
 * page); they change, and your contract may differ. Pass your own table to `extractStep` /
 * `estimateCost` to override them, e.g. `{ ...DEFAULT_PRICE_TABLE, models: { ...DEFAULT_PRICE_TABLE.models, openai: { ... } } }`.
 *
 * Not modelled: audio/image token rates, Anthropic's 1-hour cache writes (priced as 5-minute
 * writes), Gemini cache storage, batch/flex/priority tiers and regional uplifts.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  models: {
    openai: {
      'gpt-5.5': openaiLongContext(5, 30, 0.5),
      'gpt-5.5-pro': openaiLongContext(30, 180),
      'gpt-5.4': openaiLongContext(2.5, 15, 0.25),
      'gpt-5.4-pro': openaiLongContext(30, 180),
      'gpt-5.4-mini': { input: 0.75, output: 4.5, cacheRead: 0.075 },
      'gpt-5.4-nano': { input: 0.2, output: 1.25, cacheRead: 0.02 },
      'gpt-5.3': { input: 1.75, output: 14, cacheRead: 0.175 },
      'gpt-5.2': { input: 1.75, output: 14, cacheRead: 0.175 },
      'gpt-5.2-pro': { input: 21, output: 168 },
      'gpt-5.1': { input: 1.25, output: 10, cacheRead: 0.125 },
      'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
      'gpt-5-pro': { input: 15, output: 120 },
      'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
      'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
      'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
      'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
      'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
      'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
      'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
      'gpt-4-turbo': { input: 10, output: 30 },
      'gpt-4': { input: 30, output: 60 },
      'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
      o1: { input: 15, output: 60, cacheRead: 7.5 },
      'o1-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
      'o1-pro': { input: 150, output: 600 },
      o3: { input: 2, output: 8, cacheRead: 0.5 },
      'o3-pro': { input: 20, output: 80 },
      'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
      'o3-deep-research': { input: 10, output: 40, cacheRead: 2.5 },
      'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
      'o4-mini-deep-research': { input: 2, output: 8, cacheRead: 0.5 },
    },
    anthropic: {
      'claude-opus-4-8': anthropic(5, 25),
      'claude-opus-4-7': anthropic(5, 25),
      'claude-opus-4-6': anthropic(5, 25),
      'claude-opus-4-5': anthropic(5, 25),
      'claude-opus-4-1': anthropic(15, 75),
      'claude-opus-4': anthropic(15, 75),
      // Long-context rates for 4.6 assumed equal to 4.5's (same list price, same 1M-context offer).
      'claude-sonnet-4-6': sonnet4,
      'claude-sonnet-4-5': sonnet4,
      'claude-sonnet-4': sonnet4,
      'claude-haiku-4-5': anthropic(1, 5),
      'claude-3-7-sonnet': anthropic(3, 15),
      'claude-3-5-sonnet': anthropic(3, 15),
      'claude-3-5-haiku': anthropic(0.8, 4),
      'claude-3-opus': anthropic(15, 75),
      'claude-3-haiku': { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 },
    },
    'gcp.gemini': {
      'gemini-3.1-pro': {
        input: 2,
        output: 12,
        cacheRead: 0.2,
        longContext: { aboveInputTokens: 200_000, input: 4, output: 18, cacheRead: 0.4 },
      },
      'gemini-3-pro': {
        input: 2,
        output: 12,
        cacheRead: 0.2,
        longContext: { aboveInputTokens: 200_000, input: 4, output: 18, cacheRead: 0.4 },
      },
      'gemini-3-flash': { input: 0.5, output: 3, cacheRead: 0.05 },
      'gemini-3.1-flash-lite': { input: 0.25, output: 1.5, cacheRead: 0.025 },
      'gemini-2.5-pro': {
        input: 1.25,
        output: 10,
        cacheRead: 0.125,
        longContext: { aboveInputTokens: 200_000, input: 2.5, output: 15, cacheRead: 0.25 },
      },
      'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.03 },
      'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cacheRead: 0.01 },
      'gemini-2.0-flash': { input: 0.1, output: 0.4, cacheRead: 0.025 },
      'gemini-2.0-flash-lite': { input: 0.075, output: 0.3 },
    },
  },
  // The priciest flagship tier in the table (Claude Opus 4.1 / Opus 3). "Pro" research tiers
  // cost more still, but pricing every unknown model like o1-pro would make budgets useless.
  unknownModel: anthropic(15, 75),
}
