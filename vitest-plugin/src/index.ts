export { retrace, type RetracePluginOptions } from './retrace-plugin.ts'
export { RetraceReporter } from './reporter.ts'
export type { RetraceMatchers } from './matcher-types.ts'
export { configureMatchers, type MatchCassetteOptions } from '@retrace/matchers'
