import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { describeJsonError, writeFileAtomically } from '@retrace/cassettes'
import { importWhoAndWhen, WhoAndWhenFormatError, type WhoAndWhenImport } from '@retrace/detectors'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { UsageError } from '../usage-error.ts'

/** Options of `retrace import who-and-when`. */
export interface ImportWhoAndWhenCommandOptions {
  /** The folder to write `<name>.trace.json` files to; without it, one run's trace goes to stdout. */
  out?: string
  cwd?: string
}

/**
 * `retrace import who-and-when <file|folder>`: converts Who&When runs (AG2 / Magentic-One
 * message histories) into trace files — one agent span per message — that `retrace detect`
 * reads. With `--out <dir>` each `<name>.json` becomes `<dir>/<name>.trace.json` (written
 * atomically); without it a single run is printed. Exits 0, 2 when a file is not a Who&When
 * run (the others are still written), 5 for bad usage.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { existsSync } from 'node:fs'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const dir = mkdtempSync(join(tmpdir(), 'retrace-'))
 * const run = { question: 'How many moons does Neptune have?', history: [{ role: 'Orchestrator (-> WebSurfer)', content: 'Search for the moons of Neptune.' }, { role: 'WebSurfer', content: 'Neptune has many moons.' }] }
 * writeFileSync(join(dir, '3.json'), JSON.stringify(run))
 * const terminal = bufferTerminal()
 * await importWhoAndWhenCommand('3.json', { out: 'traces', cwd: dir }, terminal) // → 0
 * existsSync(join(dir, 'traces', '3.trace.json')) // → true
 */
export async function importWhoAndWhenCommand(input: string, options: ImportWhoAndWhenCommandOptions, terminal: Terminal): Promise<ExitCode> {
  const cwd = options.cwd ?? process.cwd()
  const path = resolve(cwd, input)
  if (!existsSync(path)) throw new UsageError(`No such file or folder: ${input}.`)
  const folder = statSync(path).isDirectory()
  const files = folder
    ? readdirSync(path)
        .filter((name) => name.endsWith('.json') && !name.endsWith('.trace.json'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        .map((name) => join(path, name))
    : [path]
  if (folder && !options.out) throw new UsageError(`${input} is a folder: pass --out <dir> for the trace files.`)
  if (files.length === 0) throw new UsageError(`${input} holds no .json files.`)

  let failed = 0
  let messages = 0
  for (const file of files) {
    const name = folder ? basename(file) : input
    let imported: WhoAndWhenImport
    try {
      imported = importWhoAndWhen(readJson(file, name), { source: basename(file) })
    } catch (error) {
      if (!(error instanceof WhoAndWhenFormatError)) throw error
      failed++
      terminal.err(`retrace: ${error.message}\n`)
      continue
    }
    messages += imported.messageSpanIds.length
    const text = `${JSON.stringify(imported.trace, null, 2)}\n`
    if (!options.out) {
      terminal.out(text)
      continue
    }
    await writeFileAtomically(join(resolve(cwd, options.out), `${basename(file).replace(/\.json$/, '')}.trace.json`), text)
  }
  const done = files.length - failed
  const summary = `${done} Who&When run(s), ${messages} message(s)${options.out ? ` into ${options.out}` : ''}${failed ? `; ${failed} file(s) skipped` : ''}.`
  if (options.out) terminal.out(`${terminal.style('green', 'Imported')} ${summary}\n`)
  else terminal.err(`Imported ${summary}\n`)
  return failed ? EXIT.missing : EXIT.pass
}

function readJson(file: string, name: string): unknown {
  const text = readFileSync(file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new WhoAndWhenFormatError({ source: name, detail: `it is not valid JSON (${describeJsonError(error, text)}).`, cause: error })
  }
}
