import type { Command } from 'commander'
import {
  cancelSweepCommand,
  commitForkCommand,
  createForkCommand,
  diffForkCommand,
  estimateForkCommand,
  getForkCommand,
  replayForkCommand,
  sensitivityCommand,
  sensitivityReportCommand,
  sweepCommand,
  sweepStatusCommand,
} from './fork-commands.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { runWorkerCommand } from './worker-command.ts'

/**
 * A whole number ≥ `min` from a flag, or a usage error naming it.
 *
 * @example
 * import assert from 'node:assert/strict'
 * import { UsageError } from '../usage-error.ts'
 * wholeNumber('--k', '8', 1) // → 8
 * wholeNumber('--k', undefined, 1) // → undefined
 * assert.throws(() => wholeNumber('--k', '0', 1), UsageError)
 */
export function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < min) throw new UsageError(`${flag} takes a whole number ≥ ${min} (got "${value}").`)
  return number
}

const collect = (value: string, previous: string[]) => [...previous, value]

const EXITS = 'Exits 0, 1 a fork failed (or --timeout passed), 2 no such trace, span, fork or sweep (or the fork has not run), 5 usage, 6 server unreachable or key refused, 8 no worker registered the function (start one with `retrace worker`).'

interface Connection {
  baseUrl?: string
  apiKey?: string
  json?: boolean
}

/** The flags every `retrace forks` command has. */
function connected(command: Command): Command {
  return command
    .option('--json', 'print the server’s JSON answer')
    .option('--base-url <url>', 'the Retrace server (default: RETRACE_BASE_URL, else http://127.0.0.1:8787)')
    .option('--api-key <key>', 'the API key (default: RETRACE_API_KEY)')
    .exitOverride()
}

const seconds = (value: string) => (wholeNumber('--timeout', value, 1) ?? 600) * 1000

/**
 * Adds `retrace worker <module…>` and the `retrace forks` commands.
 *
 * @example
 * import { Command } from 'commander'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const program = new Command('retrace').exitOverride()
 * let exitCode: number | undefined
 * registerForkCommands(program, bufferTerminal(), (code) => (exitCode = code))
 * program.commands.map((command) => command.name()) // → ['worker', 'forks']
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

  const forks = program
    .command('forks')
    .summary('Fork a recorded run at a span with a new input, replay it, compare, sweep, score sensitivity, estimate, commit.')
    .description(`Fork & Replay on the Retrace server (RETRACE_BASE_URL, RETRACE_API_KEY). A fork re-runs the agent in a process that registered it (\`retrace worker\`): steps before the fork point come from the recording, the rest run live. ${EXITS}`)
    .exitOverride()

  connected(
    forks
      .command('create')
      .description(`Create a fork of a trace at one of its spans, with a new input (--replay runs it; --wait also waits for it). ${EXITS}`)
      .requiredOption('--trace <id>', 'the recorded trace')
      .requiredOption('--span <id>', 'the span the fork starts at (an llm, tool or agent span)')
      .option('--input <text>', 'the new input (replaces the first argument)')
      .option('--input-json <json>', 'the new input as JSON (an array replaces every argument)')
      .option('--function <name>', 'the resumable function to run (default: the trace’s name)')
      .option('--replay', 'run it at once')
      .option('--wait', 'run it and wait until it ends')
      .option('--timeout <seconds>', 'how long --wait waits', '600'),
  )
    .addHelpText('after', '\nExamples:\n  $ retrace forks create --trace tr_51ab09 --span sp_8f2c1e --input "What about a different approach?"\n  $ retrace forks create --trace tr_51ab09 --span sp_8f2c1e --input-json \'{"city":"Oslo"}\' --wait')
    .action(async (options: Connection & { trace: string; span: string; input?: string; inputJson?: string; function?: string; replay?: boolean; wait?: boolean; timeout: string }) => {
      setExit(await createForkCommand({ ...options, timeoutMs: seconds(options.timeout) }, terminal))
    })

  connected(
    forks
      .command('replay')
      .description(`Run a fork (a fork that already ran runs again only with --force). --wait shows its progress until it ends. ${EXITS}`)
      .argument('<fork-id>')
      .option('--wait', 'wait until it ends')
      .option('--force', 'run it again even if it already ran')
      .option('--timeout <seconds>', 'how long --wait waits', '600'),
  ).action(async (id: string, options: Connection & { wait?: boolean; force?: boolean; timeout: string }) => {
    setExit(await replayForkCommand({ ...options, id, timeoutMs: seconds(options.timeout) }, terminal))
  })

  connected(forks.command('get').description(`A fork's status and the trace it recorded. ${EXITS}`).argument('<fork-id>')).action(async (id: string, options: Connection) => {
    setExit(await getForkCommand({ ...options, id }, terminal))
  })

  connected(forks.command('diff').description(`Original vs fork, step by step: tokens, cost and latency deltas, the first divergent step and the semantic divergence score. ${EXITS}`).argument('<fork-id>')).action(async (id: string, options: Connection) => {
    setExit(await diffForkCommand({ ...options, id }, terminal))
  })

  connected(forks.command('estimate').description(`What a fork will cost before it runs: naive vs optimized, per step, with the assumptions. ${EXITS}`).argument('<fork-id>')).action(async (id: string, options: Connection) => {
    setExit(await estimateForkCommand({ ...options, id }, terminal))
  })

  connected(forks.command('commit').description(`Make a completed fork its trace's new baseline (retrace pull <trace> then yields the fork's cassette). ${EXITS}`).argument('<fork-id>')).action(async (id: string, options: Connection) => {
    setExit(await commitForkCommand({ ...options, id }, terminal))
  })

  connected(
    forks
      .command('sweep')
      .description(`Fork at one span with several inputs, at most --concurrency running at once; --wait shows a progress bar and the results. ${EXITS}`)
      .requiredOption('--trace <id>', 'the recorded trace')
      .requiredOption('--span <id>', 'the span the forks start at')
      .option('--variant <label=input>', 'a variant: its label, =, its input text (repeatable)', collect, [])
      .option('--variants-file <file>', 'a JSON array of { "label", "modified_input" }')
      .option('--concurrency <n>', 'most variants running at once (default 3)')
      .option('--function <name>', 'the resumable function to run (default: the trace’s name)')
      .option('--wait', 'wait until every variant ended')
      .option('--timeout <seconds>', 'how long --wait waits', '600'),
  )
    .addHelpText('after', '\nExamples:\n  $ retrace forks sweep --trace tr_51ab09 --span sp_8f2c1e --variant "concise=Be brief." --variant "detailed=Explain in detail." --wait')
    .action(async (options: Connection & { trace: string; span: string; variant: string[]; variantsFile?: string; concurrency?: string; function?: string; wait?: boolean; timeout: string }) => {
      setExit(await sweepCommand({ ...options, concurrency: wholeNumber('--concurrency', options.concurrency, 1), timeoutMs: seconds(options.timeout) }, terminal))
    })

  connected(
    forks
      .command('sweep-status')
      .description(`A sweep's progress and per-variant results (--wait: until it ends). ${EXITS}`)
      .argument('<sweep-id>')
      .option('--wait', 'wait until every variant ended')
      .option('--timeout <seconds>', 'how long --wait waits', '600'),
  ).action(async (id: string, options: Connection & { wait?: boolean; timeout: string }) => {
    setExit(await sweepStatusCommand({ ...options, id, timeoutMs: seconds(options.timeout) }, terminal))
  })

  connected(forks.command('cancel').description(`Cancel a sweep: variants not started will not run. ${EXITS}`).argument('<sweep-id>')).action(async (id: string, options: Connection) => {
    setExit(await cancelSweepCommand({ ...options, id }, terminal))
  })

  connected(
    forks
      .command('sensitivity')
      .description(`Perturb the run's input k times (typos, case, whitespace, word order, paraphrase, numbers, a dropped sentence, emphasis; the same seed gives the same ones), run them from the span and report the sensitivity score (PSS), the flip rate and the step the outcome hinges on. Waits for the report unless --no-wait. ${EXITS}`)
      .requiredOption('--trace <id>', 'the recorded trace')
      .requiredOption('--span <id>', 'the span the variants start at')
      .option('--k <n>', 'how many perturbed variants (default 8)')
      .option('--seed <seed>', 'the same seed gives the same variants (default 0)')
      .option('--perturbations <names>', 'comma-separated: typos,case,whitespace,word_order,paraphrase,numbers,dropped_sentence,emphasis (default all)')
      .option('--input <text>', 'the input to perturb (default: the run’s own)')
      .option('--input-json <json>', 'the input to perturb, as JSON')
      .option('--concurrency <n>', 'most variants running at once (default 3)')
      .option('--function <name>', 'the resumable function to run (default: the trace’s name)')
      .option('--no-wait', 'print the id and return at once')
      .option('--timeout <seconds>', 'how long to wait for the report', '600'),
  ).action(async (options: Connection & { trace: string; span: string; k?: string; seed?: string; perturbations?: string; input?: string; inputJson?: string; concurrency?: string; function?: string; wait: boolean; timeout: string }) => {
    setExit(await sensitivityCommand({ ...options, k: wholeNumber('--k', options.k, 2), concurrency: wholeNumber('--concurrency', options.concurrency, 1), timeoutMs: seconds(options.timeout) }, terminal))
  })

  connected(
    forks
      .command('sensitivity-report')
      .description(`The report of a sensitivity run (--wait: until it is ready). ${EXITS}`)
      .argument('<sensitivity-id>')
      .option('--wait', 'wait until the report is ready')
      .option('--timeout <seconds>', 'how long --wait waits', '600'),
  ).action(async (id: string, options: Connection & { wait?: boolean; timeout: string }) => {
    setExit(await sensitivityReportCommand({ ...options, id, timeoutMs: seconds(options.timeout) }, terminal))
  })
}
