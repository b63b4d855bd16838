import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createBlankProject, packPublished, removeTemporaryFolders, temporaryFolder, type BlankProject, type PackedPackage } from './packed-packages.ts'
import { readmeExample, type ReadmeExample } from './readme-examples.ts'

// Every README's example, pasted as is into a blank project that installed only what the
// README says to install (from the packed tarballs, plus TypeScript to type-check it), run
// the way the README says: record, replay, replay under CI, and type-check with NodeNext.
// Needs the build (`npm test` builds first).

let packed: PackedPackage[]
beforeAll(() => {
  packed = packPublished(temporaryFolder('retrace-tarballs-'))
}, 120_000)
afterAll(removeTemporaryFolders)

const TIMEOUT = 180_000
const SIMPLE_TSCONFIG = `${JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2023', strict: true, noEmit: true, allowImportingTsExtensions: true } }, null, 2)}\n`

/** A blank project with the example's installs and files; `typescript` is the user's own compiler. */
function projectOf(example: ReadmeExample, packageJson: Record<string, unknown> = { type: 'module' }): BlankProject {
  const project = createBlankProject(packed, [...example.installs, 'typescript'], packageJson)
  for (const [file, content] of Object.entries(example.files)) project.write(file, content)
  if (!('tsconfig.json' in example.files)) project.write('tsconfig.json', SIMPLE_TSCONFIG)
  return project
}

function expectSuccess(result: { code: number | null; output: string }): string {
  expect(result.output, result.output).not.toMatch(/\bError\b|ERR_|not defined|Cannot find/u)
  expect(result.code, result.output).toBe(0)
  return result.output
}

describe('README.md: A first test and Without a test runner', () => {
  const example = readmeExample('README.md', ['A first test', 'Without a test runner'])
  let project: BlankProject

  test('installs, files and set-up are all given', () => {
    expect(Object.keys(example.files).sort()).toEqual(['agent.test.ts', 'agent.ts', 'tsconfig.json', 'vitest.config.ts', 'weather.ts'])
    expect(example.installs).toEqual(expect.arrayContaining(['@retrace/vitest', '@retrace/core', 'vitest', 'openai']))
    project = projectOf(example)
  })

  test('the test records, then replays, then replays under CI', () => {
    expect(expectSuccess(project.run('vitest', ['run']))).toContain('Retrace cassettes: 1 recorded · 0 replayed')
    expect(existsSync(join(project.dir, '__cassettes__/agent.test.ts/answers with the weather.cassette.json'))).toBe(true)
    expect(expectSuccess(project.run('vitest', ['run']))).toContain('Retrace cassettes: 0 recorded · 1 replayed · 1 equivalent')
    expect(expectSuccess(project.run('vitest', ['run'], { CI: 'true' }))).toContain('0 recorded · 1 replayed')
  }, TIMEOUT)

  test('the script records, then replays the same answer', () => {
    const recorded = expectSuccess(project.run('node', ['weather.ts']))
    expect(existsSync(join(project.dir, '__cassettes__/weather.cassette.json'))).toBe(true)
    expect(expectSuccess(project.run('node', ['weather.ts'], { RETRACE_MODE: 'replay' }))).toBe(recorded)
  }, TIMEOUT)

  test('type-checks with module NodeNext', () => {
    expectSuccess(project.run('tsc', ['-p', '.']))
  }, TIMEOUT)
})

describe('vitest-plugin/README.md', () => {
  const example = readmeExample('vitest-plugin/README.md')
  let project: BlankProject

  test('records, replays, replays under CI and type-checks', () => {
    expect(Object.keys(example.files).sort()).toEqual(['agent.test.ts', 'agent.ts', 'tsconfig.json', 'vitest.config.ts'])
    project = projectOf(example)
    expect(expectSuccess(project.run('vitest', ['run']))).toContain('1 recorded · 0 replayed')
    expect(expectSuccess(project.run('vitest', ['run'], { CI: 'true' }))).toContain('0 recorded · 1 replayed · 1 equivalent')
    expectSuccess(project.run('tsc', ['-p', '.']))
  }, TIMEOUT)
})

describe.each([['module'], ['commonjs']])('jest-preset/README.md in a "type": "%s" project', (type) => {
  const example = readmeExample('jest-preset/README.md', ['@retrace/jest-preset'])

  test('records, replays, replays under CI and type-checks', () => {
    expect(Object.keys(example.files).sort()).toEqual(['agent.test.ts', 'agent.ts', 'jest.config.mjs', 'tsconfig.json'])
    const project = projectOf(example, { type })
    expect(expectSuccess(project.run('jest', []))).toContain('1 recorded · 0 replayed')
    expect(existsSync(join(project.dir, '__cassettes__/agent.test.ts/answers with the weather.cassette.json'))).toBe(true)
    expect(expectSuccess(project.run('jest', [], { CI: 'true' }))).toContain('0 recorded · 1 replayed · 1 equivalent')
    expectSuccess(project.run('tsc', ['-p', '.']))
  }, TIMEOUT)
})

// The native-ESM section's config, in place of the first example's jest.config.mjs, with the
// same agent and test (TypeScript test files as ES modules), run with the README's command.
describe('jest-preset/README.md: Native ES modules', () => {
  test('the first example as native ES modules records, then replays under CI', () => {
    const first = readmeExample('jest-preset/README.md', ['@retrace/jest-preset'])
    const esm = readmeExample('jest-preset/README.md', ['Native ES modules'])
    expect(Object.keys(esm.files)).toEqual(['jest.config.js'])
    expect(esm.commands).toEqual(['node --experimental-vm-modules node_modules/jest/bin/jest.js'])
    const { 'jest.config.mjs': replaced, ...files } = first.files
    expect(replaced).toBeDefined()
    const project = projectOf({ files: { ...files, ...esm.files }, installs: first.installs, commands: [] }, { type: 'module' })
    const [command, ...args] = esm.commands[0]!.split(' ')
    expect(expectSuccess(project.run(command!, args))).toContain('1 recorded · 0 replayed')
    expect(existsSync(join(project.dir, '__cassettes__/agent.test.ts/answers with the weather.cassette.json'))).toBe(true)
    expect(expectSuccess(project.run(command!, args, { CI: 'true' }))).toContain('0 recorded · 1 replayed · 1 equivalent')
  }, TIMEOUT)
})

describe('core/README.md and cassettes/README.md', () => {
  test('the script records, replays, the cassette reads back, and both type-check', () => {
    const core = readmeExample('core/README.md', ['@retrace/core'])
    const cassettes = readmeExample('cassettes/README.md', ['@retrace/cassettes'])
    expect(Object.keys(core.files)).toEqual(['weather.ts'])
    expect(Object.keys(cassettes.files)).toEqual(['inspect.ts'])
    const project = projectOf({ files: { ...core.files, ...cassettes.files }, installs: [...core.installs, ...cassettes.installs], commands: [] })
    const recorded = expectSuccess(project.run('node', ['weather.ts']))
    expect(expectSuccess(project.run('node', ['weather.ts'], { RETRACE_MODE: 'replay' }))).toBe(recorded)
    expect(expectSuccess(project.run('node', ['inspect.ts']))).toMatch(/^1 interaction\(s\), no secrets\n/u)
    expectSuccess(project.run('tsc', ['-p', '.']))
  }, TIMEOUT)
})

describe('matchers/README.md', () => {
  test('the runner adapter records, then matches, and type-checks', () => {
    const example = readmeExample('matchers/README.md', ['@retrace/matchers'])
    expect(Object.keys(example.files)).toEqual(['my-runner.ts'])
    const project = projectOf(example)
    expect(expectSuccess(project.run('node', ['my-runner.ts']))).toMatch(/^pass: Recorded .*books a flight\.cassette\.json\n$/u)
    expect(expectSuccess(project.run('node', ['my-runner.ts'], { CI: 'true' }))).toMatch(/^pass: The run is identical to .*books a flight\.cassette\.json\n$/u)
    expectSuccess(project.run('tsc', ['-p', '.']))
  }, TIMEOUT)
})

describe('fake-provider/README.md', () => {
  test('the script gets the deterministic reply, the command prints its usage, and both type-check', () => {
    const example = readmeExample('fake-provider/README.md', ['@retrace/fake-provider'])
    expect(Object.keys(example.files)).toEqual(['hello.ts'])
    expect(example.installs).toEqual(['@retrace/fake-provider', 'openai'])
    const project = projectOf(example)
    expect(expectSuccess(project.run('node', ['hello.ts']))).toBe('You said: Hello there\n')
    expect(expectSuccess(project.run('retrace-fake-provider', ['--help']))).toMatch(/^Usage: retrace-fake-provider \[options\]/u)
    expectSuccess(project.run('tsc', ['-p', '.']))
  }, TIMEOUT)
})
