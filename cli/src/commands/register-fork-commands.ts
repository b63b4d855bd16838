import type { Command } from 'commander'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { runWorkerCommand } from './worker.ts'

/** A whole number ≥ `min` from a flag, or a usage error naming it. */
export function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < min) throw new UsageError(`${flag} takes a whole number ≥ ${min} (got "${value}").`)
  return number
}

/**
 * Adds `retrace worker <module…>` and the `retrace forks` commands.
 *
 * @example
 * registerForkCommands(program, terminal, setExit)
 */
export function registerForkCommands(program: Command, terminal: Terminal, setExit: (code: number) => void): void {
  program
    .command('worker')
    .summary('Run forks: import modules with resumable agents and re-run them when the server asks.')
    .description(
      'Import the modules (each wraps an agent with record({ name, resumable: true }, fn)), connect to the Retrace server (RETRACE_BASE_URL, RETRACE_API_KEY), register their functions and run the forks the server sends (retrace forks replay, sweeps, sensitivity), at most --concurrency at once. SIGINT/SIGTERM stop it gracefully: no new fork is taken, the running ones finish and are delivered. Exits 0 when stopped, 5 when a module cannot be imported or registers no resumable function.',
    )
    .argument('<modules...>', 'modules to import (TypeScript runs as is on Node 22.18+ / 24)')
    .option('--concurrency <n>', 'most forks run at once', '4')
    .option('--shutdown-timeout <ms>', 'on SIGINT/SIGTERM, how long to wait for running forks', '60000')
    .option('--base-url <url>', 'the Retrace server (default: RETRACE_BASE_URL, else http://127.0.0.1:8787)')
    .option('--api-key <key>', 'the API key (default: RETRACE_API_KEY)')
    .addHelpText('after', '\nExamples:\n  $ RETRACE_API_KEY=rt_live_… retrace worker ./src/agent.ts\n  $ retrace worker ./agents/support.ts ./agents/triage.ts --concurrency 8')
    .exitOverride()
    .action(async (modules: string[], options: { concurrency: string; shutdownTimeout: string; baseUrl?: string; apiKey?: string }) => {
      setExit(
        await runWorkerCommand(
          { modules, concurrency: wholeNumber('--concurrency', options.concurrency, 1), shutdownTimeoutMs: wholeNumber('--shutdown-timeout', options.shutdownTimeout, 0), baseUrl: options.baseUrl, apiKey: options.apiKey },
          terminal,
        ),
      )
    })
}
