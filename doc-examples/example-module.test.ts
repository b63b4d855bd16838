import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { exampleModule, importedNames } from './example-module.ts'
import { repoRoot, type DocExample } from './extract-examples.ts'
import { runExample } from './run-examples.ts'

// A documented file of its own, outside the packages, so these tests do not depend on any
// package's examples: `add` at line 8, documented by the example at lines 4-6.
const dir = mkdtempSync(join(tmpdir(), 'retrace-doc-runner-'))
symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir')
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const documented = join(dir, 'math.ts')
writeFileSync(join(dir, 'offset.ts'), 'export const OFFSET = 10\n')
writeFileSync(documented, ['/**', ' * Adds.', ' * @example', ' * add(1, 2) // → 3', ' *', ' */', '', 'export function add(a: number, b: number): number { return a + b }', ''].join('\n'))

const example = (lines: string[], line = 4): DocExample => ({ folder: 'math', file: documented, symbol: 'add', line, lines, onType: false })
const run = (lines: string[], line = 4) => runExample(example(lines, line), { file: documented, examples: [], declarations: [], valueExports: ['add'] }, dir)

describe('the module made from an example', () => {
  test('keeps each line of code on its line, at its column', () => {
    const source = exampleModule(example(['   const sum = add(1, 2)', '   sum + 1']), { file: documented, exports: ['add'] })
    const lines = source.split('\n')
    expect(lines[3]).toBe('   const sum = add(1, 2)')
    expect(lines[4]).toBe('   sum + 1')
  })

  test('`// → value` asserts, on the same line or for the line above', () => {
    const source = exampleModule(example(['   add(1, 2) // → 3', '   const four = add(2, 2) // → 4', '   add(', '     1, 1)', '   add(5, 5)', '   // → 10']), { file: documented, exports: ['add'] })
    const lines = source.split('\n')
    expect(lines[3]).toBe('   __retraceDocAssert.deepStrictEqual(add(1, 2), 3)')
    expect(lines[4]).toBe('   const four = add(2, 2); __retraceDocAssert.deepStrictEqual(four, 4)')
    expect(lines[7]).toBe('   __retraceDocAssert.deepStrictEqual(add(5, 5), 10)')
  })

  test('`// → value` after a statement written over several lines asserts on the whole statement', () => {
    const source = exampleModule(example(['   add(', "     1, ')'.length,", '   )', '   // → 2']), { file: documented, exports: ['add'] })
    expect(source.split('\n').slice(3, 6)).toEqual(['   __retraceDocAssert.deepStrictEqual(add(', "     1, ')'.length,", '   ), 2)'])
    const inline = exampleModule(example(['   add(', '     1, 1,', '   ) // → 2']), { file: documented, exports: ['add'] })
    expect(inline.split('\n').slice(3, 6)).toEqual(['   __retraceDocAssert.deepStrictEqual(add(', '     1, 1,', '   ), 2)'])
  })

  test('reads the names an import binds', () => {
    expect(importedNames("import { a, b as c, type T } from 'x'")).toEqual(['a', 'c', 'T'])
    expect(importedNames("import d, * as ns from 'x'")).toEqual(['d', 'ns'])
    expect(importedNames("import 'side-effect'")).toEqual([])
  })
})

describe('running an example', () => {
  test('passes when its assertions hold; the documented file’s exports are in scope', async () => {
    await run(['   add(1, 2) // → 3'])
  })

  test('its own imports work, relative ones from the documented file’s folder', async () => {
    await run(["   import { OFFSET } from './offset.ts'", "   import { join } from 'node:path'", '   add(OFFSET, 1) // → 11', "   join('a', 'b') // → 'a/b'"])
  })

  test('a failed assertion fails the test, naming the symbol and the place in the documented file', async () => {
    await expect(run(['   const sum = add(1, 2)', '   sum // → 4'], 4)).rejects.toThrow(new RegExp(`^The example of add failed at ${documented.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: Expected values to be strictly deep-equal`))
  })

  test('a thrown error fails it too, with a stack into the documented file', async () => {
    const error: Error = await run(['   add(1, 2)', "   throw new RangeError('too big')"], 4).then(
      () => new Error('the example passed'),
      (thrown: Error) => thrown,
    )
    expect(error).toBeInstanceOf(RangeError)
    expect(error.message).toBe(`The example of add failed at ${documented}:5:10: too big`)
    expect(error.stack).toContain(`${documented}:5:10`)
  })

  test('pseudo-code (an ellipsis) does not compile, and says where', async () => {
    await expect(run(['   add(1, …)'])).rejects.toThrow(/^The example of add failed at .*math\.ts:4/)
  })

  test('an example runs as on a developer’s machine: CI and RETRACE_* are unset meanwhile', async () => {
    process.env.RETRACE_MODE = 'replay'
    try {
      await run(['   process.env.CI // → undefined', '   process.env.RETRACE_MODE // → undefined'])
      expect(process.env.RETRACE_MODE).toBe('replay')
    } finally {
      delete process.env.RETRACE_MODE
    }
  })
})
