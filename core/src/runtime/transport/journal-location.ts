import { createHash } from 'node:crypto'
import { homedir, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/** Names the folder that holds the journals (one sub-folder per destination is added below it). */
export const JOURNAL_DIR_VARIABLE = 'RETRACE_JOURNAL_DIR'

/** Where events go: journals for one destination are never delivered to another. */
export interface JournalDestination {
  baseUrl: string
  apiKey: string
  projectId?: string | undefined
}

/**
 * The folder for journals of one destination: `<root>/<host>-<hash>`, where root is
 * `RETRACE_JOURNAL_DIR`, else `retrace/journal` in the OS cache folder, and the hash covers
 * the base URL, the project and the API key. The key is part of it so that a journal written
 * for one project is never delivered under another project's key; rotating the key therefore
 * leaves older journals undelivered (they expire, see `maxJournalAgeMs`).
 *
 * @example
 * journalDirectory({ baseUrl: 'https://api.retrace.dev', apiKey: 'rt_live_1' }, '/home/ada/.cache/retrace/journal').startsWith('/home/ada/.cache/retrace/journal/api.retrace.dev-') // → true
 * journalDirectory({ baseUrl: 'https://api.retrace.dev', apiKey: 'rt_live_1' }, '/j') === journalDirectory({ baseUrl: 'https://api.retrace.dev', apiKey: 'rt_live_2' }, '/j') // → false
 */
export function journalDirectory(destination: JournalDestination, root: string = defaultJournalRoot()): string {
  const url = new URL(destination.baseUrl)
  const hash = createHash('sha256')
    .update(`${url.origin}${url.pathname.replace(/\/+$/, '')}\n${destination.projectId ?? ''}\n${destination.apiKey}`)
    .digest('hex')
    .slice(0, 12)
  const host = `${url.hostname}${url.port ? `_${url.port}` : ''}`.replace(/[^a-zA-Z0-9._-]/g, '_')
  return join(root, `${host}-${hash}`)
}

/**
 * The root journal folder: `RETRACE_JOURNAL_DIR`, else the per-user cache folder of the OS
 * (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
 * Windows) + `retrace/journal`, else a per-user folder under the temp folder.
 *
 * @example
 * defaultJournalRoot({ RETRACE_JOURNAL_DIR: '/var/lib/agent/retrace' }) // → '/var/lib/agent/retrace'
 * defaultJournalRoot({ XDG_CACHE_HOME: '/home/ada/.cache' }, 'linux') // → '/home/ada/.cache/retrace/journal'
 */
export function defaultJournalRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env[JOURNAL_DIR_VARIABLE]?.trim()
  if (explicit) return explicit
  const home = safeHome()
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'retrace', 'journal')
  if (platform === 'darwin' && home) return join(home, 'Library', 'Caches', 'retrace', 'journal')
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'retrace', 'journal')
  if (home) return join(home, '.cache', 'retrace', 'journal')
  return join(tmpdir(), `retrace-journal-${safeUser()}`)
}

function safeHome(): string | undefined {
  try {
    return homedir() || undefined
  } catch {
    return undefined
  }
}

function safeUser(): string {
  try {
    return String(userInfo().uid)
  } catch {
    return 'user'
  }
}
