import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * A temporary file left for this long is stale whoever wrote it: one write takes
 * milliseconds, so a writer that still exists after an hour is a recycled process id.
 */
const STALE_AFTER_MS = 60 * 60 * 1000

/**
 * Writes text through a temporary file in the same folder and a rename, so a reader (or a
 * crash) never sees half a file; creates the folder when needed. Temporary files of this
 * same target left by a writer that was killed mid-write are removed first (see
 * {@link removeStaleTemporaryFiles}).
 *
 * @example
 * import { mkdtempSync, readFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const file = join(mkdtempSync(join(tmpdir(), 'exports-')), 'runs', 'run.json')
 * await writeFileAtomically(file, JSON.stringify({ ok: true }))
 * readFileSync(file, 'utf8') // → '{"ok":true}'
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await removeStaleTemporaryFiles(file)
  const temporary = temporaryFileName(file, process.pid)
  try {
    await writeFile(temporary, text, 'utf8')
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

/**
 * The name of a temporary file for `file`: `<file>.<pid>.<8 hex>.tmp`, in the same folder
 * (a rename across file systems is not atomic).
 *
 * @example
 * /^\/a\/run\.cassette\.json\.4242\.[0-9a-f]{8}\.tmp$/.test(temporaryFileName('/a/run.cassette.json', 4242)) // → true
 */
export function temporaryFileName(file: string, pid: number): string {
  return `${file}.${pid}.${randomBytes(4).toString('hex')}.tmp`
}

/**
 * Removes the temporary files that an atomic write of `file` left behind when its process was
 * killed mid-write. Only ours (named `<file name>.<pid>.<8 hex>.tmp`, beside `file`) and only
 * stale: the process that wrote it no longer exists, or it has not been touched for an hour.
 * A file whose writer is alive is being written right now, and is left alone.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'agent.cassette.json')
 * // A writer killed mid-write left this (process 2147483646 does not exist).
 * const leftover = temporaryFileName(file, 2147483646)
 * writeFileSync(leftover, '{ "version"')
 * await removeStaleTemporaryFiles(file) // → [leftover]
 * @returns the paths removed.
 */
export async function removeStaleTemporaryFiles(file: string, now = Date.now()): Promise<string[]> {
  const folder = dirname(file)
  const prefix = `${basename(file)}.`
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length))
    if (!match) continue
    const path = join(folder, name)
    const modified = await stat(path).then(
      (stats) => (stats.isFile() ? stats.mtimeMs : undefined),
      () => undefined,
    )
    if (modified === undefined) continue
    if (processExists(Number(match[1])) && now - modified < STALE_AFTER_MS) continue
    await rm(path, { force: true })
    removed.push(path)
  }
  return removed
}

function processExists(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
