// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// The part of the run ledger a test runner's main process needs at start-up, kept free of
// Retrace's heavier modules (zod, capture) so loading a runner config stays fast. Exported
// on its own as `@retrace/core/run-ledger`.

export const RUN_DIR_VARIABLE = 'RETRACE_RUN_DIR'

/** A run folder, and whether this process created it (and so removes it when done). */
export interface RunLedger {
  dir: string
  owned: boolean
}

/**
 * Joins the run folder a parent process opened (`retrace ci replay` names one in the
 * environment), or creates one and names it there, so workers started afterwards write their
 * entries to it. Called by the reporters, in the main process, before tests start.
 *
 * @example
 * const env: NodeJS.ProcessEnv = {}
 * const ledger = openRunLedger(env)
 * env.RETRACE_RUN_DIR === ledger.dir // → true
 * ledger.owned // → true
 * openRunLedger(env) // → { dir: ledger.dir, owned: false }
 */
export function openRunLedger(env: NodeJS.ProcessEnv = process.env): RunLedger {
  const existing = env[RUN_DIR_VARIABLE]
  if (existing && existsSync(existing)) return { dir: existing, owned: false }
  const dir = mkdtempSync(join(tmpdir(), 'retrace-run-'))
  env[RUN_DIR_VARIABLE] = dir
  return { dir, owned: true }
}

