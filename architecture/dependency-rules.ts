// The import rules of the repository, checked with dependency-cruiser over the sources.
//
// Parser: swc. TypeScript 7 (tsgo) has no JavaScript compiler API, which dependency-cruiser's
// `tsc` parser needs, and Babel drops `import type` before dependency-cruiser sees it; swc
// parses TypeScript itself and keeps type-only imports, which count here: a type import is
// what made capture and session import each other.
import { join } from 'node:path'
import { cruise, type ICruiseOptions, type IResolveOptions, type IViolation } from 'dependency-cruiser'

export const repoRoot = join(import.meta.dirname, '..')

/** The published packages' folders, and the tests' shared helpers. */
export const CHECKED_FOLDERS = ['cassettes', 'fake-provider', 'protocol', 'divergence', 'detectors', 'core', 'matchers', 'vitest-plugin', 'jest-preset', 'server', 'cli', 'test-support'] as const

/** Tests and their helpers: `*.test.ts` beside the code, a package's `test/`, `test-support/`. */
export const TEST_FILES = String.raw`\.test\.ts$|^[^/]+/test/|^test-support/`

// Packages are resolved as a user's project resolves them (through node_modules and the
// `exports` map, symlinks kept, so an import of `@retrace/cassettes` is a package import and
// not a path into ../cassettes), with the `@retrace/source` condition the tests run under.
const RESOLVE: Partial<IResolveOptions> = {
  conditionNames: ['@retrace/source', 'import', 'require', 'node', 'default'],
  extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
  exportsFields: ['exports'],
  mainFields: ['module', 'main'],
}

const BASE: ICruiseOptions = {
  parser: 'swc',
  tsPreCompilationDeps: true,
  moduleSystems: ['es6', 'cjs'],
  preserveSymlinks: true,
  // A package's own package.json plus the root's (whose devDependencies the tests use).
  combinedDependencies: true,
  // Paths (and the package.json files read) are relative to the repository root, whatever the working directory.
  baseDir: repoRoot,
  doNotFollow: { path: 'node_modules' },
  validate: true,
}

/** Rules over single imports, for every file of the checked folders, tests included. */
const IMPORT_RULES: ICruiseOptions['ruleSet'] = {
  forbidden: [
    {
      name: 'into-another-package',
      comment: 'A package imports another only by its name, through its public entry points: never ../other/src or ../other/test. Tests may use test-support/.',
      severity: 'error',
      from: { path: '^([^/]+)/' },
      to: { dependencyTypes: ['local'], pathNot: ['^$1/', '^test-support/'] },
    },
    {
      name: 'shipped-code-into-test-support',
      comment: 'Shipped code never imports the test helpers.',
      severity: 'error',
      from: { pathNot: TEST_FILES },
      to: { path: '^test-support/' },
    },
    {
      name: 'unresolvable',
      comment: 'Every import resolves: a subpath a package does not export (@retrace/core/src/…) does not.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'undeclared-in-shipped-code',
      comment: "Shipped code imports only its package's dependencies and peers (not the root's devDependencies).",
      severity: 'error',
      from: { pathNot: TEST_FILES },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown', 'npm-dev'], dependencyTypesNot: ['npm', 'npm-peer', 'npm-optional'] },
    },
    {
      name: 'server-imports-the-recorder',
      comment: 'The server reads batches and cassettes through @retrace/protocol, @retrace/cassettes and @retrace/divergence, never the recorder (which would install fetch interception in the server).',
      severity: 'error',
      from: { path: '^server/', pathNot: TEST_FILES },
      to: { path: '^node_modules/@retrace/core/' },
    },
    {
      name: 'protocol-does-io',
      comment: '@retrace/protocol is schemas only: no Node built-in (file, network, process) is imported.',
      severity: 'error',
      from: { path: '^protocol/src/', pathNot: TEST_FILES },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'undeclared-in-tests',
      comment: "Tests import their package's dependencies, the root devDependencies, or a workspace package (@retrace/*).",
      severity: 'error',
      from: { path: TEST_FILES },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/@retrace/' },
    },
  ],
}

/** Folder cycles, over shipped code only (a test may import across its package freely). */
const FOLDER_RULES: ICruiseOptions['ruleSet'] = {
  forbidden: [
    {
      name: 'folder-cycle',
      comment: 'No import cycle between the folders of a package (capture → session → capture was one).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
}

/** One broken rule, as a line a test failure can print. */
export function describeViolation(violation: IViolation): string {
  const cycle = violation.cycle?.length ? ` (cycle: ${violation.cycle.map((step) => step.name).join(' → ')})` : ''
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${cycle}`
}

/**
 * Checks the import rules (every file, tests included) and the folder-cycle rule (shipped
 * code only), and returns what breaks them.
 *
 * @example
 * const { imports, folders } = await checkDependencies()
 * console.log(imports.map(describeViolation)) // [] when every rule holds
 */
export async function checkDependencies(): Promise<{ imports: IViolation[]; folders: IViolation[]; modules: number }> {
  const all = await cruise([...CHECKED_FOLDERS], { ...BASE, exclude: { path: '(^|/)(dist|fixtures)/' }, ruleSet: IMPORT_RULES }, RESOLVE)
  const shipped = await cruise(
    CHECKED_FOLDERS.filter((folder) => folder !== 'test-support').map((folder) => `${folder}/src`),
    { ...BASE, exclude: { path: `(^|/)(dist|fixtures)/|${TEST_FILES}` }, metrics: true, ruleSet: FOLDER_RULES },
    RESOLVE,
  )
  if (typeof all.output === 'string' || typeof shipped.output === 'string') throw new Error('dependency-cruiser returned a report, not a result')
  return { imports: all.output.summary.violations, folders: shipped.output.summary.violations, modules: all.output.summary.totalCruised }
}
