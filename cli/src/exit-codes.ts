/**
 * The exit codes CI can route on. When several apply, the most severe wins, in this order:
 * usage (5) > unreachable (6) > no worker (8) > secret (4) > egress (3) > missing (2) > flagged (7) > regression (1).
 */
export const EXIT = {
  /** Every cassette replayed and matched. */
  pass: 0,
  /** A semantic regression: a request changed, an output diverged, or a test failed. */
  regression: 1,
  /** A cassette is missing, unreadable, or written by a newer Retrace. */
  missing: 2,
  /** A request no cassette answers (unmatched egress). */
  egress: 3,
  /** A secret-shaped string was found in a cassette. */
  secret: 4,
  /** Bad flags, no test runner found, or the command could not start. */
  usage: 5,
  /** `retrace push` / `pull`: the Retrace server could not be reached, failed, or refused the API key. */
  unreachable: 6,
  /** A failure detector flagged a kind the command was told to fail on (`retrace detect --fail-on`, `retrace ci replay --fail-on-detector`). */
  flagged: 7,
  /** `retrace forks`: no connected process registered the fork's function (start one with `retrace worker`). */
  noWorker: 8,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

const SEVERITY: readonly ExitCode[] = [EXIT.usage, EXIT.unreachable, EXIT.noWorker, EXIT.secret, EXIT.egress, EXIT.missing, EXIT.flagged, EXIT.regression, EXIT.pass]

/**
 * The most severe of several exit codes.
 *
 * @example
 * mostSevere([EXIT.regression, EXIT.missing]) // 2
 */
export function mostSevere(codes: Iterable<ExitCode>): ExitCode {
  const present = new Set(codes)
  return SEVERITY.find((code) => present.has(code)) ?? EXIT.pass
}
