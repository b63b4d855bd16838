import { relative, resolve } from 'node:path'
import { attributeFailure, buildTopology, detect as runDetect, DetectorKindSchema, type DetectOptions, type DetectorKind } from '@retrace/detectors'
import { readTraceInput } from '../detect/read-trace-input.ts'
import { renderDetection } from '../detect/render-detection.ts'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'

/** Options of `retrace detect`. */
export interface DetectCommandOptions {
  json?: boolean
  /** Comma-separated detector kinds to run (default: all). */
  detectors?: string
  /** Comma-separated kinds that make the command exit 7 when flagged. */
  failOn?: string
  minConfidence?: string
  task?: string
  cwd?: string
}

/**
 * `retrace detect <cassette|trace-file>`: runs the multi-agent failure detectors and prints the
 * flags (or `--json`). Exits 0, or 7 when `--fail-on` names a kind that was flagged; 2 for an
 * unusable file, 5 for bad flags.
 *
 * @example
 * const code = await detectCommand('traces/3.trace.json', { failOn: 'loop,ping-pong' }, terminal)
 */
export async function detectCommand(file: string, options: DetectCommandOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = options.cwd ?? process.cwd()
  const detectors = kinds(options.detectors, '--detectors')
  const failOn = kinds(options.failOn, '--fail-on') ?? []
  const detectOptions: DetectOptions = {
    ...(detectors ? { detectors } : {}),
    ...(options.task !== undefined ? { task: options.task } : {}),
    ...(options.minConfidence !== undefined ? { minConfidence: confidence(options.minConfidence) } : {}),
  }
  const { trace, from } = readTraceInput(file, cwd)
  const result = runDetect(trace, detectOptions)
  const attribution = attributeFailure(result)
  if (options.json) {
    terminal.out(`${JSON.stringify({ file, from, ...result, attribution: attribution ?? null, topology: buildTopology(trace.spans) }, null, 2)}\n`)
  } else {
    terminal.out(renderDetection(trace, result, attribution, { title: relative(cwd, resolve(cwd, file)) || file, style: terminal.style }))
  }
  const failing = result.flags.filter((flag) => (failOn as string[]).includes(flag.kind))
  if (failing.length === 0) return EXIT.pass
  if (!options.json) terminal.err(`retrace: ${failing.length} flag(s) of a kind in --fail-on (${[...new Set(failing.map((flag) => flag.kind))].join(', ')}).\n`)
  return EXIT.flagged
}

function kinds(value: string | undefined, flag: string): DetectorKind[] | undefined {
  if (value === undefined) return undefined
  const names = value.split(',').map((name) => name.trim()).filter(Boolean)
  const unknown = names.filter((name) => !DetectorKindSchema.safeParse(name).success)
  if (unknown.length || names.length === 0) {
    throw new UsageError(`${flag} takes detector kinds separated by commas; ${unknown.length ? `unknown: ${unknown.join(', ')}` : 'none given'}. Kinds: ${DetectorKindSchema.options.join(', ')}.`)
  }
  return names as DetectorKind[]
}

function confidence(value: string): number {
  const number = Number(value)
  if (!Number.isFinite(number) || number < 0 || number > 1) throw new UsageError(`--min-confidence takes a number from 0 to 1, not "${value}".`)
  return number
}
