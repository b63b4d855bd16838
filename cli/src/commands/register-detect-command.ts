import type { Command } from 'commander'
import { DETECTOR_KINDS } from '@retrace/detectors'
import type { Terminal } from '../output/terminal.ts'
import { detectCommand } from './detect.ts'

/**
 * Adds `retrace detect <cassette|trace-file|trace-id>`.
 *
 * @example
 * import { Command } from 'commander'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const program = new Command('retrace').exitOverride()
 * let exitCode: number | undefined
 * registerDetectCommand(program, bufferTerminal(), (code) => (exitCode = code))
 * program.commands.map((command) => command.name()) // → ['detect']
 */
export function registerDetectCommand(program: Command, terminal: Terminal, setExit: (code: number) => void): void {
  program
    .command('detect')
    .summary('Find multi-agent failures in a run (loops, ping-pong, derailment, …).')
    .description(
      `Run the failure detectors (${DETECTOR_KINDS.join(', ')}) over a cassette, a trace file, or a trace stored on the Retrace server (by its id), and print the flags, most confident first, each with its MAST failure mode, agent, decisive step and quoted evidence. Deterministic; offline for files. Exits 0, 7 when --fail-on names a kind that was flagged, 2 when the file is unusable or the server has no such trace, 5 for bad flags or no API key, 6 when the server is unreachable or refuses the key.`,
    )
    .argument('<file|trace-id>', 'a .cassette.json file, a .trace.json file (see `retrace import who-and-when`), or a trace id on the server (RETRACE_BASE_URL, RETRACE_API_KEY)')
    .option('--json', 'print the flags, the failure attribution and the agent topology as JSON')
    .option('--detectors <kinds>', 'only these detectors, comma-separated')
    .option('--fail-on <kinds>', 'exit 7 when a flag of one of these kinds is found, comma-separated')
    .option('--min-confidence <0-1>', 'leave out flags less confident than this')
    .option('--task <text>', 'the task text, when the trace does not hold it')
    .option('--base-url <url>', 'for a trace id: the Retrace server (default: RETRACE_BASE_URL, else http://127.0.0.1:8787)')
    .option('--api-key <key>', 'for a trace id: the API key (default: RETRACE_API_KEY)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ retrace import who-and-when ../shared/data/who-and-when/hand-crafted --out traces && retrace detect traces/3.trace.json',
        "  $ retrace detect '__cassettes__/agent.test.ts/books a flight.cassette.json' --fail-on loop,no-progress",
        '  $ retrace detect run.trace.json --json | jq .attribution',
        '  $ RETRACE_API_KEY=rt_live_… retrace detect 0f8c2a1e-… --fail-on ping-pong   # a trace on the server',
      ].join('\n'),
    )
    .exitOverride()
    .action(async (file: string, options: { json?: boolean; detectors?: string; failOn?: string; minConfidence?: string; task?: string; baseUrl?: string; apiKey?: string }) => {
      setExit(await detectCommand(file, options, terminal))
    })
}
