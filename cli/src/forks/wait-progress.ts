import type { Terminal } from '../output/terminal.ts'

/** Fork statuses that do not change any more. */
export const FINAL_STATUSES = new Set(['completed', 'failed', 'no_worker', 'cancelled'])

/**
 * A progress line on stderr: redrawn in place on a terminal (a bar for counts), one line per
 * change elsewhere (CI logs stay readable).
 *
 * @example
 * import { bufferTerminal } from '../output/terminal.ts'
 * const terminal = bufferTerminal()
 * // Not a TTY (a CI log): one line per change.
 * const progress = progressLine(terminal, false)
 * progress.update(bar(3, 12, 12) + ' 3/12 done')
 * progress.update(bar(3, 12, 12) + ' 3/12 done')
 * progress.update(bar(12, 12, 12) + ' 12/12 done')
 * progress.done()
 * terminal.stderr() // → '[███░░░░░░░░░] 3/12 done\n[████████████] 12/12 done\n'
 */
export function progressLine(terminal: Terminal, tty = Boolean(process.stderr.isTTY)): { update(text: string): void; done(): void } {
  let last = ''
  return {
    update(text) {
      if (text === last) return
      last = text
      terminal.err(tty ? `\r\u001b[2K${text}` : `${text}\n`)
    },
    done() {
      if (tty && last) terminal.err('\n')
    },
  }
}

/**
 * A text progress bar.
 *
 * @example
 * bar(3, 12, 12) // → '[███░░░░░░░░░]'
 */
export function bar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.round((done / total) * width) : width
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`
}

/**
 * Polls `get` until `finished(answer)` or `timeoutMs`, drawing `describe(answer)` as it goes.
 * Returns the last answer and whether it finished.
 *
 * @example
 * import { bufferTerminal } from '../output/terminal.ts'
 * const statuses = ['queued', 'running', 'completed']
 * const getFork = async () => ({ id: 'fk_1', status: statuses.shift()! })
 * const terminal = bufferTerminal()
 * const { value, finished } = await pollWithProgress(getFork, (fork) => FINAL_STATUSES.has(fork.status), (fork) => fork.status, terminal, 600_000, 1)
 * ;[value.status, finished] // → ['completed', true]
 */
export async function pollWithProgress<T>(get: () => Promise<T>, finished: (value: T) => boolean, describe: (value: T, elapsedMs: number) => string, terminal: Terminal, timeoutMs: number, intervalMs = 250): Promise<{ value: T; finished: boolean }> {
  const progress = progressLine(terminal)
  const started = Date.now()
  try {
    for (;;) {
      const value = await get()
      progress.update(describe(value, Date.now() - started))
      if (finished(value)) return { value, finished: true }
      if (Date.now() - started > timeoutMs) return { value, finished: false }
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  } finally {
    progress.done()
  }
}
