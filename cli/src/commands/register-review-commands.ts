import type { Command } from 'commander'
import type { Terminal } from '../output/terminal.ts'
import { cassetteDiff } from './cassette-diff.ts'
import { cassetteLint } from './cassette-lint.ts'
import { cassettePrune } from './cassette-prune.ts'
import { cassetteShow } from './cassette-show.ts'
import { gitSetup } from './git-setup.ts'
import { review } from './review.ts'

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`

/**
 * Adds the review and hygiene commands: `cassette show|diff|lint|prune`, `review`, `git-setup`.
 *
 * @example
 * import { Command } from 'commander'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const program = new Command('retrace').exitOverride()
 * let exitCode: number | undefined
 * registerReviewCommands(program, bufferTerminal(), (code) => (exitCode = code))
 * program.commands.map((command) => command.name()) // → ['cassette', 'review', 'git-setup']
 */
export function registerReviewCommands(program: Command, terminal: Terminal, setExit: (code: number) => void): void {
  const cassette = program.command('cassette').description('Read, compare and tidy cassette files.').exitOverride()

  cassette
    .command('show')
    .summary('Print a cassette as a timeline of steps.')
    .description('Print a cassette as a timeline: each LLM step (model, new messages, tool calls with arguments, text, finish reason, tokens, cost, latency), other requests, the result and totals.')
    .argument('<file>', 'a .cassette.json file')
    .option('--json', 'print the timeline as JSON')
    .option('--full', 'show texts and arguments in full (they are trimmed for the terminal)')
    .option('--textconv', 'plain, complete output without timings, for the git diff driver (see retrace git-setup)')
    .addHelpText('after', examples("retrace cassette show '__cassettes__/agent.test.ts/books a flight.cassette.json'", 'retrace cassette show --json run.cassette.json | jq .totals'))
    .exitOverride()
    .action(async (file: string, options: { json?: boolean; full?: boolean; textconv?: boolean }) => setExit(await cassetteShow(file, options, terminal)))

  cassette
    .command('diff')
    .summary('The semantic diff of two cassettes (exit 1 when diverged).')
    .description('The semantic diff of two cassettes, step by step: request changes, output changes (similarity and reasons), token / cost / latency deltas. Exit 0 when identical or equivalent, 1 when diverged.')
    .argument('<a>', 'the old (golden) cassette')
    .argument('<b>', 'the new cassette')
    .option('--json', 'print the diff as JSON')
    .option('--threshold <similarity>', 'lowest text similarity (0–1) still counted as equivalent (default 0.4)')
    .addHelpText('after', examples('retrace cassette diff golden.cassette.json candidate.cassette.json', 'git show main:path/run.cassette.json > /tmp/old.json && retrace cassette diff /tmp/old.json path/run.cassette.json'))
    .exitOverride()
    .action(async (a: string, b: string, options: { json?: boolean; threshold?: string }) => setExit(await cassetteDiff(a, b, options, terminal)))

  cassette
    .command('lint')
    .summary('Validate cassettes and scan them for secrets (exit 4 on a secret).')
    .description('Check cassettes against the format and scan them for secrets. Exit 4 on a secret, 2 on an invalid cassette, 0 when clean.')
    .argument('[paths...]', 'files or folders (default: the current folder)')
    .option('--json', 'print the problems as JSON')
    .addHelpText('after', examples('retrace cassette lint', 'retrace cassette lint src/__cassettes__ goldens/refund.cassette.json --json'))
    .exitOverride()
    .action(async (paths: string[], options: { json?: boolean }) => setExit(await cassetteLint(paths, options, terminal)))

  cassette
    .command('prune')
    .summary('Remove cassettes and interactions the last test run did not use.')
    .description(
      'Using the last test run (recorded by the Vitest / Jest reporter): delete cassettes no test uses, and drop interactions no test consumed from cassettes that every test replayed successfully.',
    )
    .option('--dry-run', 'print what would change, and change nothing')
    .option('--json', 'print the plan as JSON')
    .option('--cwd <dir>', 'the project root (where node_modules/.cache/retrace/last-run.json is)', '.')
    .addHelpText('after', examples('retrace cassette prune --dry-run', 'npx vitest run && retrace cassette prune'))
    .exitOverride()
    .action(async (options: { dryRun?: boolean; json?: boolean; cwd: string }) => setExit(await cassettePrune(options, terminal)))

  program
    .command('review')
    .summary('A Markdown review of the cassettes changed since a git ref.')
    .description(
      'Every *.cassette.json changed between a git ref and the working tree, as one Markdown report for a pull-request comment: a table of verdicts and deltas, and a collapsible step-by-step diff per cassette. Compares with the merge base of the ref and HEAD.',
    )
    .option('--base <ref>', 'the git ref to compare with (default: the first of origin/HEAD, origin/main, origin/master, main, master; else HEAD)')
    .option('--json', 'print the report as JSON instead of Markdown')
    .option('--output <file>', 'write the report to a file instead of printing it')
    .option('--cwd <dir>', 'a folder inside the repository', '.')
    .addHelpText('after', examples('retrace review', 'retrace review --base origin/main --output retrace-review.md && gh pr comment --body-file retrace-review.md'))
    .exitOverride()
    .action(async (options: { base?: string; json?: boolean; output?: string; cwd: string }) => setExit(await review(options, terminal)))

  program
    .command('git-setup')
    .summary('Make git diff show cassettes as timelines.')
    .description(
      'Install a git diff driver so git diff and git log -p show cassettes as timelines: adds "*.cassette.json diff=retrace" to .gitattributes and sets diff.retrace.textconv in the local git config.',
    )
    .option('--check', 'only report whether the driver is installed (exit 0 if so, 2 if not)')
    .option('--command <command>', 'the textconv command git runs (default: npx --no-install retrace cassette show --textconv)')
    .option('--json', 'print the result as JSON')
    .option('--cwd <dir>', 'a folder inside the repository', '.')
    .addHelpText('after', examples('retrace git-setup', 'retrace git-setup --check', 'retrace git-setup --command "retrace cassette show --textconv"'))
    .exitOverride()
    .action(async (options: { check?: boolean; command?: string; json?: boolean; cwd: string }) => setExit(await gitSetup(options, terminal)))
}
