import type { Command } from 'commander'
import { runServerCommand } from '@retrace/server'
import type { Terminal } from '../output/terminal.ts'
import { pullCassette } from './pull-cassette.ts'
import { pushCassettes } from './push-cassettes.ts'

/**
 * Adds the server commands: `server` (the same as `retrace-server`), `push` (cassettes to the
 * server) and `pull` (a trace back as a cassette).
 *
 * @example
 * import { Command } from 'commander'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const program = new Command('retrace').exitOverride()
 * let exitCode: number | undefined
 * registerServerCommands(program, bufferTerminal(), (code) => (exitCode = code))
 * program.commands.map((command) => command.name()) // → ['server', 'push', 'pull']
 */
export function registerServerCommands(program: Command, terminal: Terminal, setExit: (code: number) => void): void {
  program
    .command('server')
    .description('Start the Retrace API server, exactly as `retrace-server` does (run `retrace server --help` for its options). Exits 0 when stopped, 1 when it cannot start, 2 on bad configuration.')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[options...]', 'retrace-server options')
    .exitOverride()
    .action(async (args: string[]) => {
      setExit(await runServerCommand(args, { command: 'retrace server', io: terminal }))
    })

  const connection = (command: Command) =>
    command
      .option('--base-url <url>', 'the Retrace server (default: RETRACE_BASE_URL, else http://127.0.0.1:8787)')
      .option('--api-key <key>', 'the API key (default: RETRACE_API_KEY)')

  connection(
    program
      .command('push')
      .description(
        'Upload cassettes to the Retrace server as traces (LLM steps, the recording test and git metadata), one line per cassette with its URL. Idempotent. Exits 0, 2 a cassette missing or invalid, 4 a secret in a cassette (nothing uploaded), 5 usage, 6 server unreachable or key refused.',
      )
      .argument('[paths...]', 'cassette files or folders (default: every cassette under a __cassettes__ folder)'),
  )
    .addHelpText('after', '\nExamples:\n  $ RETRACE_API_KEY=rt_live_… retrace push\n  $ retrace push __cassettes__/agent.test.ts --base-url https://retrace.example.com')
    .exitOverride()
    .action(async (paths: string[], options: { baseUrl?: string; apiKey?: string }) => {
      setExit(await pushCassettes({ paths, baseUrl: options.baseUrl, apiKey: options.apiKey }, terminal))
    })

  connection(
    program
      .command('pull')
      .description('Download a trace as a format-v1 cassette that replays offline under toMatchCassette(). Exits 0, 2 no such trace (or it has no cassette), 4 a secret in it, 5 usage, 6 server unreachable or key refused.')
      .argument('<trace-id>', 'the trace (as `retrace push` printed it)')
      .option('-o, --out <file>', 'the cassette file to write (default: print it to stdout)'),
  )
    .addHelpText('after', '\nExamples:\n  $ retrace pull cs_3f1c… --out __cassettes__/weather.cassette.json')
    .exitOverride()
    .action(async (traceId: string, options: { out?: string; baseUrl?: string; apiKey?: string }) => {
      setExit(await pullCassette({ traceId, out: options.out, baseUrl: options.baseUrl, apiKey: options.apiKey }, terminal))
    })
}
