import type { Command } from 'commander'
import { DETECTOR_KINDS } from '@retrace/detectors'
import type { Terminal } from '../output/terminal.ts'
import { detectCommand } from './detect.ts'

/**
 * Adds `retrace detect <cassette|trace-file>`.
 *
 * @example
 * registerDetectCommand(program, terminal, setExit)
 */
export function registerDetectCommand(program: Command, terminal: Terminal, setExit: (code: number) => void): void {
  program
    .command('detect')
    .summary('Find multi-agent failures in a run (loops, ping-pong, derailment, …).')
    .description(
      `Run the failure detectors (${DETECTOR_KINDS.join(', ')}) over a cassette or a trace file and print the flags, most confident first, each with its MAST failure mode, agent, decisive step and quoted evidence. Offline and deterministic. Exits 0, 7 when --fail-on names a kind that was flagged, 2 when the file is unusable, 5 for bad flags.`,
    )
    .argument('<file>', 'a .cassette.json file, or a .trace.json file (see `retrace import who-and-when`)')
    .option('--json', 'print the flags, the failure attribution and the agent topology as JSON')
    .option('--detectors <kinds>', 'only these detectors, comma-separated')
    .option('--fail-on <kinds>', 'exit 7 when a flag of one of these kinds is found, comma-separated')
    .option('--min-confidence <0-1>', 'leave out flags less confident than this')
    .option('--task <text>', 'the task text, when the trace does not hold it')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ retrace import who-and-when ../shared/data/who-and-when/hand-crafted --out traces && retrace detect traces/3.trace.json',
        "  $ retrace detect '__cassettes__/agent.test.ts/books a flight.cassette.json' --fail-on loop,no-progress",
        '  $ retrace detect run.trace.json --json | jq .attribution',
      ].join('\n'),
    )
    .exitOverride()
    .action(async (file: string, options: { json?: boolean; detectors?: string; failOn?: string; minConfidence?: string; task?: string }) => {
      setExit(await detectCommand(file, options, terminal))
    })
}
