import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/**
 * The shared Who&When hand-crafted runs: `../shared/data/who-and-when/hand-crafted` from the
 * repository root or a folder above it (worktrees sit deeper), or `WHO_AND_WHEN_DIR`;
 * undefined on a machine without them.
 */
export function whoAndWhenDataDir(): string | undefined {
  if (process.env.WHO_AND_WHEN_DIR) return existsSync(process.env.WHO_AND_WHEN_DIR) ? process.env.WHO_AND_WHEN_DIR : undefined
  for (let dir = resolve(import.meta.dirname, '..', '..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'data', 'who-and-when', 'hand-crafted')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}
