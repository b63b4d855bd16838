import { styleText } from 'node:util'

type Style = Parameters<typeof styleText>[0]

/** Where a command writes: injectable, so commands run in-process in tests. */
export interface Terminal {
  out(text: string): void
  err(text: string): void
  /** Styles text for stdout: colour only on a TTY and never under NO_COLOR. */
  style(format: Style, text: string): string
}

/**
 * The process's own terminal. `styleText` checks that stdout is a TTY and honours
 * `NO_COLOR` / `FORCE_COLOR`, so piped output (CI logs, `git diff` textconv) stays plain.
 *
 * @example
 * const terminal = processTerminal()
 * terminal.out(terminal.style('green', 'pass') + '\n')
 */
export function processTerminal(): Terminal {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    style: (format, text) => styleText(format, text, { stream: process.stdout }),
  }
}

/**
 * A terminal that collects output, for tests.
 *
 * @example
 * import { run } from '../program.ts'
 * const terminal = bufferTerminal()
 * await run(['node', 'retrace', 'cassette', 'show', 'no-such.cassette.json'], terminal) // → 5
 * terminal.stdout() // → ''
 * terminal.stderr().includes('No such file: no-such.cassette.json') // → true
 */
export function bufferTerminal(): Terminal & { stdout(): string; stderr(): string } {
  let out = ''
  let err = ''
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    style: (_format, text) => text,
    stdout: () => out,
    stderr: () => err,
  }
}
