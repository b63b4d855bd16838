/**
 * How requests are matched to recorded interactions. The defaults match on method, URL
 * (secret query parameters already redacted) and the canonical JSON body.
 */
export interface MatchOptions {
  /**
   * JSON paths in the request body to leave out of matching, e.g. `$.metadata.request_time`
   * or `$..timestamp` (see `parseJsonPath` for the syntax).
   */
  ignorePaths?: string[]
  /** Query parameter names to leave out of matching. */
  ignoreQueryParams?: string[]
  /** Header names that must also match (none by default: SDKs send volatile headers). */
  matchHeaders?: string[]
}
