import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Window } from 'happy-dom'
import { afterAll, describe, expect, test } from 'vitest'
import { exampleModule } from './example-module.ts'
import { extractExamples, repoRoot, type DocExample, type ExtractedFile } from './extract-examples.ts'
import { DOM_FILES, PENDING, type ExampleFolder } from './packages.ts'

/** Where a test file runs its folder's examples: plain Node, or a page in happy-dom. */
export interface ExamplesOptions {
  /**
   * As the test file's Vitest environment. `'happy-dom'` runs the examples of the folder's
   * `DOM_FILES` (packages.ts), and only those: the test file starts with a
   * `// @vitest-environment happy-dom` docblock. `'node'` (the default) runs all the others,
   * and checks the house rule for every file.
   */
  environment?: 'node' | 'happy-dom'
}

/**
 * Declares one test per `@example` of a folder's public declarations, and one test that each
 * exported function and class has an example. A test fails when its example throws or an
 * assertion in it fails; the error names the file, the line and the documented symbol.
 *
 * @example
 * // doc-examples/core.test.ts
 * describeExamples('core')
 * // doc-examples/dashboard-dom.test.ts, under a `// @vitest-environment happy-dom` docblock
 * describeExamples('dashboard', { environment: 'happy-dom' })
 */
export function describeExamples(folder: ExampleFolder, options: ExamplesOptions = {}): void {
  const inPage = options.environment === 'happy-dom'
  if (inPage && !('document' in globalThis)) {
    throw new Error(`describeExamples('${folder}', { environment: 'happy-dom' }) runs its examples in a page: start the test file with a \`// @vitest-environment happy-dom\` docblock.`)
  }
  const files = extractExamples(folder)
  const pending = PENDING[folder]
  const examples = files.flatMap((file) => file.examples).filter((example) => (example.file in DOM_FILES) === inPage)
  // Modules are written outside the repository (nothing to ignore or type-check), beside a
  // link to its node_modules so that `@retrace/*` resolve as in the tests.
  const dir = mkdtempSync(join(tmpdir(), `retrace-doc-examples-${folder}-`))
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  describe(`${folder}${inPage ? ' (in a page: happy-dom)' : ''}${pending ? ` (pending: ${pending})` : ''}`, () => {
    for (const example of examples) {
      const name = `${example.file}:${example.line} ${example.symbol}`
      const file = files.find((candidate) => candidate.file === example.file)!
      if (pending) test.skip(name, () => {})
      // On a type there is nothing to call: such an example shows a use (often inside a test runner).
      else if (example.onType) test.skip(`${name} (on a type: not run)`, () => {})
      else if (inPage) test(name, () => restoringPage(() => runExample(example, file, dir)))
      else test(name, () => runExample(example, file, dir))
    }
    // The rule covers every file of the folder: checked once, by the Node run.
    if (inPage) return
    const missing = files.flatMap((file) => file.declarations.filter((declaration) => !declaration.hasExample).map((declaration) => `${declaration.file}:${declaration.line} ${declaration.symbol}`))
    const rule = 'every exported function and class has an @example'
    if (pending) test.skip(rule, () => {})
    else test(rule, () => expect(missing).toEqual([]))
  })
}

/**
 * Runs an example in the test's page, then puts back what examples change there (`fetch`,
 * the address, the title, the body) even when it failed half-way, so that one failure does
 * not fail the examples after it. The examples undo their changes themselves, as users should.
 */
async function restoringPage(run: () => Promise<void>): Promise<void> {
  // The page's globals are happy-dom's window (the test file's environment).
  const page = globalThis as unknown as Window
  const { fetch } = page
  const { href } = page.location
  const { title } = page.document
  try {
    await run()
  } finally {
    page.fetch = fetch
    page.history.replaceState(null, '', href)
    page.document.title = title
    page.document.body.replaceChildren()
  }
}

let written = 0

/**
 * Writes the example's module and imports it; a failure is rethrown with its place in the
 * documented file.
 *
 * @example
 * await runExample(example, extractedFile, dir)
 */
export async function runExample(example: DocExample, file: ExtractedFile, dir: string): Promise<void> {
  const documented = resolve(repoRoot, example.file)
  // An example from a `.tsx` file is a `.tsx` module: JSX compiles in it as in its component.
  const extension = example.file.endsWith('.tsx') ? 'tsx' : 'ts'
  const module = join(dir, `${(++written).toString().padStart(4, '0')}-${example.file.replace(/[/\\]/g, '__')}.${example.line}.${extension}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(module, exampleModule(example, { file: documented, exports: file.valueExports }))
  // Examples run as on a developer's machine, whatever the environment of this test run, and
  // what they change in it (a reporter naming its run folder…) is undone for the next one.
  const environment = { ...process.env }
  for (const name of Object.keys(process.env)) if (name === 'CI' || name.startsWith('RETRACE_')) delete process.env[name]
  try {
    await import(module)
  } catch (error) {
    throw located(error, module, documented, example)
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name]
    Object.assign(process.env, environment)
  }
}


/** The error, its message and stack pointing into the documented file instead of the module. */
function located(error: unknown, module: string, documented: string, example: DocExample): unknown {
  if (!(error instanceof Error)) return new Error(`The example of ${example.symbol} (${example.file}:${example.line}) threw ${String(error)}`)
  const inModule = new RegExp(`${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?::(\\d+)(?::(\\d+))?)?`, 'g')
  const at = new RegExp(inModule.source).exec(error.stack ?? '') ?? new RegExp(inModule.source).exec(error.message)
  const where = at?.[1] ? `${example.file}:${at[1]}${at[2] ? `:${at[2]}` : ''}` : `${example.file}:${example.line}`
  const rewrite = (text: string) => text.replace(inModule, (_all, line?: string, column?: string) => `${documented}${line ? `:${line}` : ''}${column ? `:${column}` : ''}`)
  error.message = `The example of ${example.symbol} failed at ${where}: ${rewrite(error.message)}`
  if (error.stack) error.stack = rewrite(error.stack)
  return error
}
