import { Argument, type Command } from 'commander'
import { EXPORT_FORMATS, exportCassette, IMPORT_FORMATS, importFile, type ExportFormat, type ImportFormat } from '../interop/run-interop.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'
import { importWhoAndWhenCommand } from './import-who-and-when.ts'

/**
 * Adds the interop commands: `import har|nock|agent-cassette` and `export har|nock|msw|otel`.
 *
 * @example
 * import { Command } from 'commander'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const program = new Command('retrace').exitOverride()
 * let exitCode: number | undefined
 * registerInteropCommands(program, bufferTerminal(), (code) => (exitCode = code))
 * program.commands.map((command) => command.name()) // → ['import', 'export']
 */
export function registerInteropCommands(program: Command, terminal: Terminal, setExit: (code: number) => void): void {
  program
    .command('import')
    .description(
      'Turn a HAR file, nock definitions or an agent-cassette JSONL recording into a Retrace cassette: redacted like a recording, secret-scanned, written atomically. Exits 0, 2 when the input is unusable, 4 when a secret survived redaction. `who-and-when` turns Who&When runs (a file, or a folder with --out) into trace files for `retrace detect`.',
    )
    .addArgument(new Argument('<format>', 'the input format').choices([...IMPORT_FORMATS, 'who-and-when']))
    .argument('<file>', 'the file to import (who-and-when: a file or a folder)')
    .option('-o, --output <cassette>', 'the cassette to write (default: print it to stdout)')
    .option('--out <dir>', 'who-and-when: the folder to write <name>.trace.json files to (default: print the one trace to stdout)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ retrace import har session.har -o __cassettes__/session.cassette.json',
        '  $ retrace import nock test/fixtures/openai.nock.json -o __cassettes__/openai.cassette.json',
        '  $ retrace import agent-cassette runs/agent.jsonl > agent.cassette.json',
        '  $ retrace import who-and-when ../shared/data/who-and-when/hand-crafted --out traces',
      ].join('\n'),
    )
    .exitOverride()
    .action(async (format: ImportFormat | 'who-and-when', file: string, options: { output?: string; out?: string }) => {
      if (format === 'who-and-when') {
        if (options.output) throw new UsageError('who-and-when writes trace files, not a cassette: use --out <dir> instead of --output.')
        setExit(await importWhoAndWhenCommand(file, options.out ? { out: options.out } : {}, terminal))
        return
      }
      if (options.out) throw new UsageError(`--out applies to who-and-when; for ${format}, use --output <cassette>.`)
      setExit(await importFile({ format, file, ...(options.output ? { output: options.output } : {}) }, terminal))
    })

  program
    .command('export')
    .description(
      'Write a cassette as HAR 1.2, nock definitions, an MSW handlers module, or OpenTelemetry GenAI spans (OTLP/JSON). Exits 0, 2 when the cassette is missing or unusable.',
    )
    .addArgument(new Argument('<format>', 'the output format').choices(EXPORT_FORMATS))
    .argument('<cassette>', 'the cassette to export')
    .option('-o, --output <file>', 'the file to write (default: stdout)')
    .option('--start-time <iso>', 'har, otel: when the first request started (default: the Unix epoch; cassettes keep durations, not clock times)')
    .option('--typescript', 'msw: write TypeScript (default when --output ends in .ts)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ retrace export har __cassettes__/weather.cassette.json -o weather.har',
        '  $ retrace export nock __cassettes__/weather.cassette.json -o test/fixtures/weather.nock.json',
        '  $ retrace export msw __cassettes__/weather.cassette.json -o test/mocks/weather-handlers.ts',
        '  $ retrace export otel __cassettes__/weather.cassette.json --start-time 2025-01-31T09:00:00Z | curl -H "content-type: application/json" --data-binary @- http://localhost:4318/v1/traces',
      ].join('\n'),
    )
    .exitOverride()
    .action(async (format: ExportFormat, cassette: string, options: { output?: string; startTime?: string; typescript?: boolean }) => {
      setExit(
        await exportCassette(
          {
            format,
            cassette,
            ...(options.output ? { output: options.output } : {}),
            ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
            ...(options.typescript ? { typescript: true } : {}),
          },
          terminal,
        ),
      )
    })
}
