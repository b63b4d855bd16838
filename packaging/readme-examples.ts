// The runnable examples of a README, as a user would copy them: every fenced block line
// `// <file name>` starts a file (up to the next such line or the end of the block), every
// `npm install …` line of a shell block names packages to install, and its other lines are
// commands to run. Blocks without a file-name line are prose illustrations and are left out.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './packed-packages.ts'

/** The files and installs of a README's examples. */
export interface ReadmeExample {
  files: Record<string, string>
  /** Package names from `npm install` lines, in order, without flags or version ranges. */
  installs: string[]
  /** The other lines of shell blocks, in order (comments and blank lines left out). */
  commands: string[]
}

const FENCE = /^```([\w-]*)\s*\n([\s\S]*?)^```\s*$/gmu
const FILE_LINE = /^\/\/ ([\w@][\w@./-]*\.(?:[cm]?[jt]s|json))$/u

/**
 * Reads the examples of a README of this repository, optionally only under the given
 * headings: each heading's own text, up to the next heading of any level, so a package
 * README's `#` title gives its first example and a `##` section below it is an example of its
 * own.
 *
 * @example
 * readmeExample('README.md', ['A first test']) // { files: { 'vitest.config.ts': '…', 'agent.test.ts': '…' }, installs: ['openai', …], commands: [] }
 */
export function readmeExample(readme: string, headings?: string[]): ReadmeExample {
  const text = readFileSync(join(repoRoot, readme), 'utf8')
  const sections = headings ? headings.map((heading) => section(text, heading, readme)) : [text]
  const files: Record<string, string> = {}
  const installs: string[] = []
  const commands: string[] = []
  for (const markdown of sections) {
    for (const [, language, body] of markdown.matchAll(FENCE)) {
      if (language === 'sh' || language === 'bash') {
        for (const line of body!.split('\n')) {
          const words = line.trim().split(/\s+/u)
          if (words[0] === 'npm' && ['install', 'i', 'add'].includes(words[1] ?? '')) {
            installs.push(...words.slice(2).filter((word) => !word.startsWith('-') && !word.startsWith('#')).map(withoutRange))
          } else if (line.trim() && !line.trim().startsWith('#')) commands.push(line.trim())
        }
        continue
      }
      let current: string | undefined
      for (const line of body!.split('\n')) {
        const name = FILE_LINE.exec(line)?.[1]
        if (name) {
          if (name in files) throw new Error(`${readme}: ${name} is given twice`)
          current = name
          files[name] = ''
        } else if (current !== undefined) files[current] += `${line}\n`
      }
    }
  }
  for (const [name, content] of Object.entries(files)) files[name] = `${content.trim()}\n`
  return { files, installs, commands }
}

function section(text: string, heading: string, readme: string): string {
  // Headings outside fenced blocks only: a shell comment (`# record`) is not one.
  const lines = text.split('\n')
  let fenced = false
  const headingAt = lines.map((line) => {
    if (line.startsWith('```')) fenced = !fenced
    return !fenced && /^#+ /u.test(line)
  })
  const start = lines.findIndex((line, index) => headingAt[index] && line.replace(/^#+ /u, '').trim() === heading)
  if (start === -1) throw new Error(`${readme} has no heading "${heading}"`)
  const end = headingAt.indexOf(true, start + 1)
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n')
}

// `vitest@^5` → `vitest`, `@retrace/core@0.1.0` → `@retrace/core`.
function withoutRange(spec: string): string {
  const at = spec.indexOf('@', 1)
  return at === -1 ? spec : spec.slice(0, at)
}
