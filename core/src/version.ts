/** The package version, written into cassettes as `meta.recorder`. Kept in step with package.json by a test. */
export const VERSION = '0.1.0'
export const RECORDER_NAME = `@retrace/core ${VERSION}`
