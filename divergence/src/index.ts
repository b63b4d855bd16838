export { compareRuns } from './compare-runs.ts'
export { compareRunsAsync } from './compare-runs-async.ts'
export { compareSteps, type StepOutcome } from './compare-step.ts'
export { compareTexts, CRITICAL_TOKEN_CAP, type CompareTextsOptions, type TextComparison } from './compare-text.ts'
export { compareJson, numericSimilarity, type CompareJsonOptions, type JsonComparison } from './compare-json.ts'
export { diffCriticalTokens, type DiffCriticalTokensOptions } from './critical-token-diff.ts'
export {
  extractCriticalTokens,
  CriticalTokenKindSchema,
  CRITICAL_TOKEN_KINDS,
  type CriticalToken,
  type CriticalTokenKind,
  type CriticalTokenChange,
} from './critical-tokens.ts'
export { tokenize, normalizeWhitespace, equalIgnoringWhitespace } from './tokenize.ts'
export { tfidfCosine, buildIdf, idfWeight, type IdfTable } from './tfidf.ts'
export { rougeL, lcsLength } from './rouge-l.ts'
export { alignSteps, type Alignment, type AlignedPair } from './align-steps.ts'
export { stepSignature, signaturesIdentical, parseArguments, type StepSignature, type ToolCallSignature } from './step-signature.ts'
export { jsonEqual } from './json-equal.ts'
export {
  DivergenceOptionsSchema,
  DEFAULT_DIVERGENCE_OPTIONS,
  parseDivergenceOptions,
  mergeDivergenceOptions,
  type DivergenceOptions,
} from './divergence-options.ts'
export {
  DivergenceResultSchema,
  DivergenceReasonSchema,
  DivergenceReasonKindSchema,
  DivergenceLayerSchema,
  StepComparisonSchema,
  ScorerInfoSchema,
  type DivergenceResult,
  type DivergenceReason,
  type DivergenceReasonKind,
  type DivergenceLayer,
  type StepComparison,
  type ScorerInfo,
} from './divergence-result.ts'
export { EmbedderSchema, cosineSimilarity, rescaleCosine, type Embedder } from './embedding.ts'
export { RunRecordSchema, type RunRecord } from './run-record.ts'
export { SCORER_ID, SCORER_VERSION } from './scorer.ts'
export { formatDivergence } from './format-divergence.ts'
export { wordNetLoaded } from './lexicon/wordnet.ts'
