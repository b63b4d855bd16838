// `@retrace/cassettes/errors`: the error classes alone, for code that must stay light to load
// (a Vitest config, a plugin's entry). CassetteMismatchError and EgressBlockedError stay in
// the main entry: they format request diffs and so load the matching code.
export { RetraceError } from './retrace-error.ts'
export { RetraceConfigError } from './retrace-config-error.ts'
export { CassetteFormatError, type CassetteFormatProblem, type CassetteFormatIssue, type CassetteFormatErrorOptions } from './cassette-format-error.ts'
export { CassetteMissingError } from './cassette-missing-error.ts'
export { CassetteSecretError, type SecretFinding } from './cassette-secret-error.ts'
