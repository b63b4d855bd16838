import { Argument, type Command } from 'commander'
import { EXPORT_FORMATS, exportCassette, IMPORT_FORMATS, importFile, type ExportFormat, type ImportFormat } from '../interop/run-interop.ts'
import type { Terminal } from '../output/terminal.ts'

/**
 * Adds the interop commands: `import har|nock|agent-cassette` and `export har|nock|msw|otel`.
 *
 * @example
 * registerInteropCommands(program, terminal, setExit)
 */
export function registerInteropCommands(program: Command, terminal: Terminal, setExit: (code: number) => void): void {
  program
    .command('import')
    .description(
      'Turn a HAR file, nock definitions or an agent-cassette JSONL recording into a Retrace cassette: redacted like a recording, secret-scanned, written atomically. Exits 0, 2 when the input is unusable, 4 when a secret survived redaction.',
    )
    .addArgument(new Argument('<format>', 'the input format').choices(IMPORT_FORMATS))
    .argument('<file>', 'the file to import')
    .option('-o, --output <cassette>', 'the cassette to write (default: print it to stdout)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ retrace import har session.har -o __cassettes__/session.cassette.json',
        '  $ retrace import nock test/fixtures/openai.nock.json -o __cassettes__/openai.cassette.json',
        '  $ retrace import agent-cassette runs/agent.jsonl > agent.cassette.json',
      ].join('\n'),
    )
    .exitOverride()
    .action(async (format: ImportFormat, file: string, options: { output?: string }) => {
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
