import type { Command } from 'commander'
import type { Terminal } from '../output/terminal.ts'

/**
 * Adds the review and hygiene commands: `cassette show|diff|lint|prune`, `review`, `git-setup`.
 *
 * @example
 * registerReviewCommands(program, terminal, setExit)
 */
export function registerReviewCommands(_program: Command, _terminal: Terminal, _setExit: (code: number) => void): void {}
