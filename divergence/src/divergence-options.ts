import { z } from 'zod'
import { RetraceConfigError } from '@retrace/cassettes'
import { CRITICAL_TOKEN_KINDS, CriticalTokenKindSchema, type CriticalTokenKind } from './critical-tokens.ts'
import { EmbedderSchema, type Embedder } from './embedding.ts'
import { compilePathPatterns, type PathPatterns } from './path-patterns.ts'

/**
 * Thresholds and rules of a comparison. Every field is optional; set them globally (plugin
 * options, merged with `mergeDivergenceOptions`) or per call.
 */
export const DivergenceOptionsSchema = z.strictObject({
  /** Lowest text similarity in [0, 1] still counted as equivalent (free text, long strings, a string result). Default 0.4. */
  textThreshold: z.number().min(0).max(1).optional(),
  /**
   * Largest relative difference `|a−b| / (|a|+|b|)` between two numbers (tool arguments, JSON
   * result) still counted as equal. Default 1e-6: float noise passes, any real change fails.
   * 0.01 accepts about ±2 %.
   */
  numberTolerance: z.number().min(0).max(1).optional(),
  /** Strings up to this many characters (ids, dates, cities) must match exactly after trim and case folding; longer ones are compared as text. Default 40. */
  shortStringLength: z.number().int().nonnegative().optional(),
  /** JSON paths left out of argument and result comparison: `$.arguments.requestId`, `$.result.generatedAt`, `$..timestamp`. */
  ignorePaths: z.array(z.string()).optional(),
  /** JSON paths of arrays compared as (multi)sets, order ignored: `$.arguments.airlines`, `$.result.tags`. */
  setPaths: z.array(z.string()).optional(),
  /** The critical-token guard: `true` (default) for every kind, `false` for none, or the kinds to check. */
  criticalTokens: z.union([z.boolean(), z.array(CriticalTokenKindSchema)]).optional(),
  /**
   * Whether the order of tool calls within one step matters. Default `'ignore'`: parallel
   * tool calls run concurrently, so the same calls in another order are equivalent.
   */
  toolCallOrder: z.enum(['ignore', 'strict']).optional(),
  /** Texts longer than this many tokens skip ROUGE-L and use TF-IDF cosine alone. Default 10,000 (~60 k characters). */
  maxLcsTokens: z.number().int().positive().optional(),
  /** Optional semantic scorer, used by `compareRunsAsync` only. */
  embedder: EmbedderSchema.optional(),
  /** Weight `w` of the semantic score in `w·s_sem + (1−w)·s_lex`. Default 0.5. */
  embeddingWeight: z.number().min(0).max(1).optional(),
  /** The embedding model's cosine for unrelated texts, rescaled to 0. Default 0.3. */
  embeddingFloor: z.number().min(-1).lt(1).optional(),
})
export type DivergenceOptions = z.infer<typeof DivergenceOptionsSchema>

/** The defaults, in one place. Tuned on the paraphrase fixtures in `threshold-calibration.test.ts`. */
export const DEFAULT_DIVERGENCE_OPTIONS = {
  textThreshold: 0.4,
  numberTolerance: 1e-6,
  shortStringLength: 40,
  criticalTokens: true,
  toolCallOrder: 'ignore',
  maxLcsTokens: 10_000,
  embeddingWeight: 0.5,
  embeddingFloor: 0.3,
} as const satisfies DivergenceOptions

/** Options with defaults applied and paths parsed: what the comparison functions read. */
export interface ResolvedDivergenceOptions {
  readonly textThreshold: number
  readonly numberTolerance: number
  readonly shortStringLength: number
  readonly criticalKinds: ReadonlySet<CriticalTokenKind>
  readonly toolCallOrder: 'ignore' | 'strict'
  readonly maxLcsTokens: number
  readonly ignorePaths: PathPatterns
  readonly setPaths: PathPatterns
  readonly embedder: Embedder | undefined
  readonly embeddingWeight: number
  readonly embeddingFloor: number
}

const ALL_KINDS: ReadonlySet<CriticalTokenKind> = new Set(CRITICAL_TOKEN_KINDS)
const NO_KINDS: ReadonlySet<CriticalTokenKind> = new Set()

/**
 * Applies the defaults and parses the paths. No zod on this path: it runs on every
 * comparison. Validate user input once with `parseDivergenceOptions`.
 *
 * @example
 * resolveDivergenceOptions({ textThreshold: 0.7 }).textThreshold // 0.7
 */
export function resolveDivergenceOptions(options: DivergenceOptions = {}): ResolvedDivergenceOptions {
  const d = DEFAULT_DIVERGENCE_OPTIONS
  const critical = options.criticalTokens ?? d.criticalTokens
  return {
    textThreshold: options.textThreshold ?? d.textThreshold,
    numberTolerance: options.numberTolerance ?? d.numberTolerance,
    shortStringLength: options.shortStringLength ?? d.shortStringLength,
    criticalKinds: critical === true ? ALL_KINDS : critical === false ? NO_KINDS : new Set(critical),
    toolCallOrder: options.toolCallOrder ?? d.toolCallOrder,
    maxLcsTokens: options.maxLcsTokens ?? d.maxLcsTokens,
    ignorePaths: compilePathPatterns(options.ignorePaths),
    setPaths: compilePathPatterns(options.setPaths),
    embedder: options.embedder,
    embeddingWeight: options.embeddingWeight ?? d.embeddingWeight,
    embeddingFloor: options.embeddingFloor ?? d.embeddingFloor,
  }
}

/**
 * Validates options given by a user (a config file, plugin options) and returns them
 * unchanged. Throws a `RetraceConfigError` naming the field, including malformed paths.
 *
 * @example
 * parseDivergenceOptions({ textThreshold: 0.7 }) // → { textThreshold: 0.7 }
 * try {
 *   parseDivergenceOptions({ textThreshold: 2 })
 * } catch (error) {
 *   ;(error as Error).name // → 'RetraceConfigError'
 * }
 */
export function parseDivergenceOptions(input: unknown, field = 'divergence'): DivergenceOptions {
  const parsed = DivergenceOptionsSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = [field, ...issue.path.map(String)].join('.')
    throw new RetraceConfigError(where, issue.message, 'See DivergenceOptions in @retrace/divergence for the accepted fields.')
  }
  const options = input as DivergenceOptions
  for (const key of ['ignorePaths', 'setPaths'] as const) {
    options[key]?.forEach((path, i) => {
      try {
        compilePathPatterns([path])
      } catch (error) {
        throw new RetraceConfigError(`${field}.${key}[${i}]`, (error as Error).message)
      }
    })
  }
  // The input itself, not zod's copy: an embedder may be a class instance whose methods use `this`.
  return options
}

/**
 * Layers options: later layers win field by field, path lists are concatenated. Use it to
 * put per-call options over global ones.
 *
 * @example
 * mergeDivergenceOptions({ textThreshold: 0.6, ignorePaths: ['$..id'] }, { ignorePaths: ['$.result.at'] })
 * // { textThreshold: 0.6, ignorePaths: ['$..id', '$.result.at'] }
 */
export function mergeDivergenceOptions(...layers: ReadonlyArray<DivergenceOptions | undefined>): DivergenceOptions {
  const merged: DivergenceOptions = {}
  for (const layer of layers) {
    if (!layer) continue
    for (const [key, value] of Object.entries(layer) as Array<[keyof DivergenceOptions, unknown]>) {
      if (value === undefined) continue
      if (key === 'ignorePaths' || key === 'setPaths') {
        merged[key] = [...new Set([...(merged[key] ?? []), ...(value as string[])])]
      } else {
        Object.assign(merged, { [key]: value })
      }
    }
  }
  return merged
}
