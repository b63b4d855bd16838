import { RetraceError } from '@retrace/cassettes'
import type { Flag } from '../flags/flag.ts'

/**
 * A trace given to the detectors (or a trace file) does not match `DetectorTraceSchema`.
 * `field` is the JSON path of the first offending field.
 *
 * @example
 * try { parseDetectorTrace(JSON.parse(text), 'run.trace.json') } catch (error) {
 *   if (error instanceof DetectorTraceError) console.error(error.field)
 * }
 */
export class DetectorTraceError extends RetraceError {
  readonly source: string
  readonly field: string | undefined

  constructor(options: { source: string; detail: string; field?: string; hint: string; cause?: unknown }) {
    super('RETRACE_TRACE_INVALID', `Trace ${options.source} is not usable: ${options.detail}`, { hint: options.hint, cause: options.cause })
    this.source = options.source
    this.field = options.field
  }
}

/**
 * A Who&When run (or a file meant to hold one) is not in the Who&When format. `field` names
 * the first offending field.
 *
 * @example
 * try { importWhoAndWhen(raw, { source: '3.json' }) } catch (error) {
 *   if (error instanceof WhoAndWhenFormatError) console.error(error.source, error.field)
 * }
 */
export class WhoAndWhenFormatError extends RetraceError {
  readonly source: string
  readonly field: string | undefined

  constructor(options: { source: string; detail: string; field?: string; cause?: unknown }) {
    super('RETRACE_WHO_AND_WHEN_FORMAT', `${options.source} is not a Who&When run: ${options.detail}`, {
      hint: 'A Who&When run is a JSON object with "question" and "history": [{ "role", "content" }, …] (as in ag2ai/Agents_Failure_Attribution); labels "mistake_agent" and "mistake_step" are optional.',
      cause: options.cause,
    })
    this.source = options.source
    this.field = options.field
  }
}

/**
 * A judge plug-in failed or answered something that is not a verdict. The deterministic flags
 * are not lost: the error carries them.
 *
 * @example
 * try { await detectAsync(trace, { judge }) } catch (error) {
 *   if (error instanceof DetectorJudgeError) console.log(error.flags.length, 'flags without the judge')
 * }
 */
export class DetectorJudgeError extends RetraceError {
  readonly judge: string
  readonly flags: readonly Flag[]

  constructor(options: { judge: string; detail: string; flags: readonly Flag[]; cause?: unknown }) {
    super('RETRACE_DETECTOR_JUDGE', `The judge "${options.judge}" failed: ${options.detail}`, {
      hint: 'Check the judge function (its model call, or the cassette it replays from); call detect() for the deterministic flags alone.',
      cause: options.cause,
    })
    this.judge = options.judge
    this.flags = options.flags
  }
}
