/** The package version, reported by `--version` and in the OpenAPI document. */
export const VERSION = '0.1.0'
