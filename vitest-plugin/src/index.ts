export { retrace, type RetracePluginOptions } from './retrace-plugin.ts'
export { RetraceReporter } from './reporter.ts'
export type { RetraceMatchers } from './matcher-types.ts'
export { configureMatchers, TestContextError, type MatchCassetteOptions } from '@retrace/matchers/plugin'
