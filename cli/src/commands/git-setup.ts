import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { EXIT, type ExitCode } from '../exit-codes.ts'
import type { Terminal } from '../output/terminal.ts'
import { addCassetteAttribute, CASSETTE_ATTRIBUTE_LINE, DEFAULT_TEXTCONV_COMMAND, FUNCNAME_CONFIG_KEY, FUNCNAME_PATTERN, TEXTCONV_CONFIG_KEY } from '../review/git-attributes.ts'
import { git, gitTopLevel } from '../review/git-repository.ts'
import { UsageError } from '../usage-error.ts'

/** Options of `retrace git-setup`. */
export interface GitSetupOptions {
  /** Only report whether the driver is installed. */
  check?: boolean
  /** The textconv command (default: `npx --no-install retrace cassette show --textconv`). */
  command?: string
  json?: boolean
  cwd?: string
}

/**
 * `retrace git-setup`: makes `git diff` and `git log -p` show cassettes as semantic
 * timelines. Appends `*.cassette.json diff=retrace` to the repository's `.gitattributes`
 * (idempotent; commit it) and sets `diff.retrace.textconv` (and `diff.retrace.xfuncname`, so
 * hunk headers name the step) in the local git config (each clone runs it once). `--check` reports both, exit 0 when installed and 2 when not.
 *
 * @example
 * import { execFileSync } from 'node:child_process'
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { bufferTerminal } from '../output/terminal.ts'
 * const repo = mkdtempSync(join(tmpdir(), 'retrace-repo-'))
 * execFileSync('git', ['init', '-q'], { cwd: repo })
 * const terminal = bufferTerminal()
 * await gitSetup({ check: true, cwd: repo }, terminal) // → 2
 * await gitSetup({ cwd: repo }, terminal) // → 0
 * await gitSetup({ check: true, cwd: repo }, terminal) // → 0
 */
export async function gitSetup(options: GitSetupOptions, terminal: Terminal): Promise<ExitCode> {
  const top = gitTopLevel(resolve(options.cwd ?? '.'), 'git-setup')
  if (options.check) return check(top, options, terminal)
  if (options.command !== undefined && !options.command.trim()) throw new UsageError('--command needs the command git should run, e.g. --command "retrace cassette show --textconv".')
  const command = options.command?.trim() || DEFAULT_TEXTCONV_COMMAND

  const attributesFile = join(top, '.gitattributes')
  const before = existsSync(attributesFile) ? readFileSync(attributesFile, 'utf8') : ''
  const { text, changed } = addCassetteAttribute(before)
  if (changed) writeFileSync(attributesFile, text)
  for (const [key, value] of [[TEXTCONV_CONFIG_KEY, command], [FUNCNAME_CONFIG_KEY, FUNCNAME_PATTERN]] as const) {
    if (git(['config', '--local', key, value], top) === undefined) throw new UsageError(`git config ${key} could not be set in ${top}: is the repository's .git/config writable?`)
  }

  if (options.json) {
    terminal.out(`${JSON.stringify({ installed: true, gitattributes: { file: attributesFile, changed }, textconv: command }, null, 2)}\n`)
    return EXIT.pass
  }
  const ok = terminal.style('green', '✓')
  terminal.out(`${ok} .gitattributes: ${changed ? `added "${CASSETTE_ATTRIBUTE_LINE}" (commit it)` : `already has "${CASSETTE_ATTRIBUTE_LINE}"`}\n`)
  terminal.out(`${ok} git config ${TEXTCONV_CONFIG_KEY} "${command}" (this clone only)\n`)
  terminal.out('git diff and git log -p now show cassettes as timelines; git diff --no-textconv shows the raw JSON.\n')
  return EXIT.pass
}

function check(top: string, options: GitSetupOptions, terminal: Terminal): ExitCode {
  // check-attr sees every attribute source (.gitattributes anywhere, info/attributes, core.attributesFile).
  const attribute = git(['check-attr', 'diff', '--', 'probe.cassette.json'], top)?.trim() ?? ''
  const attributeSet = /: diff: retrace$/.test(attribute)
  const command = git(['config', '--get', TEXTCONV_CONFIG_KEY], top)?.trim()
  const installed = attributeSet && command !== undefined && command !== ''
  if (options.json) {
    terminal.out(`${JSON.stringify({ installed, attribute: attributeSet, textconv: command ?? null }, null, 2)}\n`)
  } else {
    const mark = (ok: boolean) => (ok ? terminal.style('green', '✓') : terminal.style('red', '✗'))
    terminal.out(`${mark(attributeSet)} *.cassette.json has the diff=retrace attribute${attributeSet ? '' : ' (missing from .gitattributes)'}\n`)
    terminal.out(`${mark(Boolean(command))} git config ${TEXTCONV_CONFIG_KEY}${command ? ` = ${command}` : ' is not set'}\n`)
    if (!installed) terminal.out('Run retrace git-setup to install the cassette diff driver.\n')
  }
  return installed ? EXIT.pass : EXIT.missing
}
