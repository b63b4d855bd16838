export { RetraceError } from './errors/retrace-error.ts'
export { CassetteFormatError, type CassetteFormatProblem, type CassetteFormatIssue, type CassetteFormatErrorOptions } from './errors/cassette-format-error.ts'
export { CassetteSecretError, type SecretFinding } from './errors/cassette-secret-error.ts'
export { CassetteMismatchError, EgressBlockedError, type MismatchDetails, type MismatchReason } from './errors/cassette-mismatch-error.ts'
export { CassetteMissingError } from './errors/cassette-missing-error.ts'
export { RetraceConfigError } from './errors/retrace-config-error.ts'

export type { JsonValue, JsonObject } from './json/json-value.ts'
export { isJsonObject } from './json/json-value.ts'
export { canonicalJson } from './json/canonical-json.ts'
export { toJsonValue } from './json/to-json-value.ts'
export { jsonDepthExceeds, MAX_STORED_JSON_DEPTH, MAX_CASSETTE_DEPTH } from './json/json-depth.ts'
export { parseJsonPath, formatJsonPath, omitJsonPaths, transformJsonPath, type PathSegment } from './json/json-path.ts'

export * from './schema/body.ts'
export * from './schema/step.ts'
export * from './schema/interaction.ts'
export * from './schema/cassette.ts'

export { serializeSseEvent, type SseEventFields } from './sse/serialize-sse-event.ts'

export { serializeCassette } from './format/serialize-cassette.ts'
export { parseCassette, describeJsonError } from './format/parse-cassette.ts'
export { readCassetteFile, inspectCassetteFile, writeCassetteFile, type WriteCassetteOptions, type CassetteFileInspection } from './format/cassette-file.ts'
export { readCassetteText, type CassetteText } from './format/read-cassette-text.ts'
export { writeFileAtomically, removeStaleTemporaryFiles } from './format/atomic-write.ts'

export { SECRET_PATTERNS, redactSecretStrings, detectSecret, redactionMarker, type SecretPattern } from './secrets/secret-patterns.ts'
export { findSecrets } from './secrets/find-secrets.ts'
export { maskSecrets, scanForSecrets, type SecretMaskOptions, type MaskedValue } from './secrets/mask-secrets.ts'
export { maskSecretText, findSecretRanges, type TextContext, type ExtraPattern, type ExtraRules } from './secrets/scan-text.ts'
export { nameSensitivity, isPlaceholder, type NameSensitivity } from './secrets/credential-context.ts'
export type { SecretRange } from './secrets/secret-range.ts'

export type { MatchOptions } from './matching/match-options.ts'
export {
  requestKey,
  compileMatchOptions,
  normalizeUrlForMatching,
  canonicalBodyForMatching,
  type CompiledMatchOptions,
} from './matching/request-key.ts'
export { diffRequests, formatRequestDifferences, type RequestDifference } from './matching/describe-request-diff.ts'
export { findClosestRequest, type ClosestRequest } from './matching/find-closest-request.ts'

export { VOLATILE_BODY_KEYS, VOLATILE_HEADERS, UNSTORED_HEADERS, REPLAYED_RESPONSE_HEADERS, isVolatileHeader, maskVolatileFields } from './stability/volatile-fields.ts'
export { stabilizeRecording } from './stability/stabilize-recording.ts'
