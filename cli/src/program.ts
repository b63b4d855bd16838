import { Command, CommanderError } from 'commander'
import { CassetteFormatError, RetraceError } from '@retrace/cassettes'
import { DetectorTraceError } from '@retrace/detectors'
import { VERSION } from '@retrace/core/internal'
import { ciReplay } from './commands/ci-replay.ts'
import { registerDetectCommand } from './commands/register-detect-command.ts'
import { registerForkCommands } from './forks/register-fork-commands.ts'
import { registerInteropCommands } from './commands/register-interop-commands.ts'
import { registerReviewCommands } from './commands/register-review-commands.ts'
import { registerServerCommands } from './commands/register-server-commands.ts'
import { UnknownTraceError } from './commands/fetch-trace-file.ts'
import { ServerUnreachableError } from './commands/server-client.ts'
import { EXIT } from './exit-codes.ts'
import { processTerminal, type Terminal } from './output/terminal.ts'
import { UsageError } from './usage-error.ts'

const collect = (value: string, previous: string[]) => [...previous, value]

/**
 * Builds the `retrace` command tree. Each action stores its exit code through `setExit`.
 *
 * @example
 * import { bufferTerminal } from './output/terminal.ts'
 * let exitCode: number | undefined
 * const program = buildProgram(bufferTerminal(), (code) => (exitCode = code))
 * program.name() // → 'retrace'
 * program.commands.map((command) => command.name()).includes('cassette') // → true
 */
export function buildProgram(terminal: Terminal, setExit: (code: number) => void): Command {
  const program = new Command('retrace')
    .description('Record, replay and review AI-agent runs: the CI replay gate, cassette review and interop, the Retrace server, push and pull.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    // Lets `retrace ci replay … -- <command>` pass the command's own options through.
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (text) => terminal.out(text),
      writeErr: (text) => terminal.err(text),
      outputError: (text, write) => write(`${text.replace(/^error:/, 'retrace: error:')}(run with --help for usage)\n`),
    })
    .exitOverride()

  const ci = program.command('ci').description('Continuous-integration commands.').enablePositionalOptions().exitOverride()
  ci.command('replay')
    .description(
      'Run the tests with replay forced, recording forbidden and egress blocked; replay standalone golden cassettes; with --fail-on-detector, run the multi-agent failure detectors over each replayed cassette; report and exit with 0 pass · 1 regression · 2 missing/stale cassette · 3 unmatched egress · 4 secret in a cassette · 5 usage error · 7 a detector flagged a kind in --fail-on-detector.',
    )
    .argument('[command...]', 'the test command (default: vitest run or jest, detected from package.json)')
    .option('--report <format-and-file...>', 'write a report: json | junit | markdown, then a file (repeatable)', collect, [])
    .option('--allow-host <host>', 'let this host through while egress is blocked (repeatable)', collect, [])
    .option('--cwd <dir>', 'the project folder', '.')
    .option('--no-goldens', 'do not replay standalone golden cassettes')
    .option('--fail-on-detector <kinds>', 'exit 7 when a failure detector flags one of these kinds in a replayed cassette, comma-separated (as `retrace detect --fail-on`)')
    .passThroughOptions()
    .addHelpText('after', '\nExamples:\n  $ retrace ci replay\n  $ retrace ci replay --report junit reports/retrace.xml --report markdown reports/retrace.md\n  $ retrace ci replay --fail-on-detector loop,no-progress\n  $ retrace ci replay -- npm test')
    .exitOverride()
    .action(async (command: string[], options: { report: string[]; allowHost: string[]; cwd: string; goldens: boolean; failOnDetector?: string }) => {
      setExit(await ciReplay({ ...options, report: options.report.flatMap((value) => value.split(/\s+/).filter(Boolean)), command }, terminal))
    })

  registerReviewCommands(program, terminal, setExit)
  registerInteropCommands(program, terminal, setExit)
  registerDetectCommand(program, terminal, setExit)
  registerServerCommands(program, terminal, setExit)
  registerForkCommands(program, terminal, setExit)
  return program
}

/**
 * Runs the CLI with `argv` and returns the exit code. Never throws: bad usage is 5 with a
 * message saying what to do, and known Retrace failures keep their meaning.
 *
 * @example
 * process.exitCode = await run(process.argv)
 */
export async function run(argv: readonly string[], terminal: Terminal = processTerminal()): Promise<number> {
  let exitCode: number = EXIT.pass
  const program = buildProgram(terminal, (code) => (exitCode = code))
  try {
    await program.parseAsync([...argv])
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with 0; a bad flag, or a command group without a
      // sub-command (which prints its help), is a usage error.
      return error.exitCode === 0 ? EXIT.pass : EXIT.usage
    }
    if (error instanceof UsageError) {
      terminal.err(`retrace: ${error.message}\n(run with --help for usage)\n`)
      return EXIT.usage
    }
    if (error instanceof ServerUnreachableError) {
      terminal.err(`retrace: ${error.message}\n`)
      return EXIT.unreachable
    }
    if (error instanceof CassetteFormatError || error instanceof DetectorTraceError || error instanceof UnknownTraceError) {
      terminal.err(`retrace: ${error.message}\n`)
      return EXIT.missing
    }
    if (error instanceof RetraceError) {
      terminal.err(`retrace: ${error.message}\n`)
      return EXIT.usage
    }
    terminal.err(`retrace: unexpected error: ${error instanceof Error ? error.message : String(error)}\nThis is a bug in Retrace; please report it with the command you ran.\n`)
    return EXIT.usage
  }
}
