import { tmpdir } from 'node:os'
import { defineConfig } from 'vitest/config'

// Our own tests run against package sources (the `@retrace/source` export condition),
// so a change in one package is seen by the others without a rebuild.
const conditions = ['@retrace/source', 'node', 'import', 'module', 'default']
const serverConditions = ['@retrace/source', 'node', 'default']
const serverExamples = ['doc-examples/server.test.ts', 'doc-examples/dashboard.test.ts', 'doc-examples/dashboard-dom.test.ts', 'doc-examples/test-support.test.ts']

/**
 * A project of doc-example tests, resolving packages with `resolveConditions`. The examples of
 * the dashboard's `.tsx` components are JSX: compiled as the dashboard compiles them (its
 * vite.config.ts), with Preact's automatic runtime. The examples that run in a page (happy-dom)
 * load through Vite's client environment, which reads only the repository's files unless
 * told: their modules are written to the temp folder.
 */
function docExamples(name: string, files: { include: string[]; exclude?: string[] }, resolveConditions: string[], timeoutMs: number) {
  return {
    oxc: { jsx: { runtime: 'automatic' as const, importSource: 'preact' } },
    resolve: { conditions: resolveConditions },
    server: { fs: { allow: [import.meta.dirname, tmpdir()] } },
    ssr: { resolve: { conditions: resolveConditions, externalConditions: resolveConditions } },
    test: { name, ...files, setupFiles: ['test-support/fail-on-deprecation-warnings.ts'], testTimeout: timeoutMs, hookTimeout: timeoutMs },
  }
}

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { conditions },
        ssr: { resolve: { conditions, externalConditions: conditions } },
        test: {
          name: 'packages',
          include: ['{core,cassettes,fake-provider,protocol,divergence,detectors,matchers,vitest-plugin,jest-preset,cli,bench,architecture}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/fixtures/**'],
          setupFiles: ['test-support/fail-on-deprecation-warnings.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      // Every @example of the packages' public declarations, run (doc-examples/README.md);
      // those of the server and what uses pg with the server's conditions.
      docExamples('doc-examples', { include: ['doc-examples/**/*.test.ts'], exclude: [...serverExamples, '**/node_modules/**'] }, conditions, 30_000),
      docExamples('doc-examples-server', { include: serverExamples }, serverConditions, 60_000),
      // The server's suites run against both stores: the global set-up starts one throwaway
      // PostgreSQL cluster for the run (only when a server test file is selected).
      {
        // Not 'import' among the conditions: Node would then apply it to require() too, and
        // pg's require('pg-pool') would get the ES module wrapper instead of the class.
        resolve: { conditions: serverConditions },
        ssr: { resolve: { conditions: serverConditions, externalConditions: serverConditions } },
        test: {
          name: 'server',
          include: ['server/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', '**/fixtures/**'],
          globalSetup: ['server/test/postgres-cluster.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // The packages as published: packed, installed into blank projects, their README
      // examples run there. Many child processes: a group of its own, never run beside the
      // timed end-to-end tests of the other projects, so it does not starve them of CPU.
      {
        resolve: { conditions },
        ssr: { resolve: { conditions, externalConditions: conditions } },
        test: {
          name: 'packaging',
          include: ['packaging/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      // The dashboard: its pure logic, and its pages in a real browser (headless Chromium from
      // Debian) against a real server. The set-up builds the page first when its sources changed.
      {
        resolve: { conditions: serverConditions },
        ssr: { resolve: { conditions: serverConditions, externalConditions: serverConditions } },
        test: {
          name: 'dashboard',
          include: ['dashboard/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['dashboard/test/build-dashboard.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The examples as their users run them: each with its own vitest.config.ts (retrace()
      // plugin, @retrace/* from dist).
      'examples/*/vitest.config.ts',
    ],
  },
})
