import { extractCriticalTokens, type CriticalToken } from './critical-tokens.ts'
import { termCounts } from './tfidf.ts'
import { tokenize } from './tokenize.ts'

/** What the text layer needs from a text, computed once per comparison. */
export interface TextAnalysis {
  readonly tokens: readonly string[]
  /** Term counts, for TF-IDF and the IDF corpus. */
  readonly terms: ReadonlyMap<string, number>
  readonly critical: readonly CriticalToken[]
}

/** Memoises tokenising and critical-token extraction by text within one comparison. */
export interface TextAnalyzer {
  analyze(text: string): TextAnalysis
}

/**
 * A per-comparison memo: a golden text compared with several candidates, or used for the
 * IDF corpus and then compared, is tokenised once. Term counts and critical tokens are made on first use.
 *
 * @example
 * const analyzer = createTextAnalyzer()
 * analyzer.analyze('It is 18 degrees').tokens // ['it', 'is', '18', 'degree']
 */
export function createTextAnalyzer(): TextAnalyzer {
  const memo = new Map<string, TextAnalysis>()
  return {
    analyze(text) {
      let analysis = memo.get(text)
      if (!analysis) {
        let critical: CriticalToken[] | undefined
        let terms: Map<string, number> | undefined
        const tokens = tokenize(text)
        analysis = {
          tokens,
          get terms() {
            return (terms ??= termCounts(tokens))
          },
          get critical() {
            return (critical ??= extractCriticalTokens(text))
          },
        }
        memo.set(text, analysis)
      }
      return analysis
    },
  }
}
