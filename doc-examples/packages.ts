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
}

/**
 * Files whose examples run in a page: they read and change the page's address and history,
 * listen to its clicks, call the API relative to its origin or set `document.title` from a
 * rendered component. They run in `<folder>-dom.test.ts`, in happy-dom (a DOM in Node); the
 * other examples of their folder run in plain Node. Why each file needs the page:
 */
export const DOM_FILES: Readonly<Record<string, string>> = {
  'dashboard/src/state/router.ts': "navigate, setQuery and startRouter drive the page's history and listen to its clicks",
  'dashboard/src/state/session.ts': 'calls the page-relative /api/v1/dashboard/session',
  'dashboard/src/components/use-title.ts': 'a Preact hook: runs inside a rendered component and sets document.title',
}
