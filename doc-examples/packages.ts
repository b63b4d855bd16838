// The folders whose examples the runner covers: every published package, and the tests'
// shared helpers. The examples of the packages in PENDING are found and counted but reported
// as skipped, for now: other branches are editing those packages while this runner lands,
// and their examples are made runnable once those branches are merged.

/** Every folder with examples, one test file each (`<folder>.test.ts`). */
export const EXAMPLE_FOLDERS = [
  'protocol',
  'cassettes',
  'fake-provider',
  'divergence',
  'detectors',
  'core',
  'matchers',
  'vitest-plugin',
  'jest-preset',
  'server',
  'cli',
  'dashboard',
  'test-support',
] as const

export type ExampleFolder = (typeof EXAMPLE_FOLDERS)[number]

/** Folders whose examples are not run yet, and why. */
export const PENDING: Partial<Record<ExampleFolder, string>> = {
  server: 'being edited on other branches (issue 9 follow-ups); examples made runnable after the merge',
  cli: 'being edited on other branches (issue 9 follow-ups); examples made runnable after the merge',
  divergence: 'being edited on other branches (issue 9 follow-ups); examples made runnable after the merge',
  dashboard: 'being edited on other branches (issue 9 follow-ups); examples made runnable after the merge',
}
