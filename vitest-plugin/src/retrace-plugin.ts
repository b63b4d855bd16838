/// <reference types="vitest/config" />
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MatchCassetteOptions } from '@retrace/matchers'
import type { Vite, VitestPluginContext } from 'vitest/node'
import { RetraceReporter } from './reporter.ts'

/**
 * Options of the plugin: defaults for every matcher call (JSON only: they travel to the test
 * workers through the environment; use `configureMatchers` in a setup file for RegExps).
 */
export type RetracePluginOptions = Pick<MatchCassetteOptions, 'threshold' | 'divergence' | 'cassette'>

// The setup module next to this file (TypeScript sources in this repository's own tests).
const setupFile = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './setup.ts' : './setup.js', import.meta.url))

/**
 * The built folders of Retrace's packages, for Vitest to load natively instead of transforming
 * them: it only externalizes files under node_modules by real path, so linked installs
 * (workspaces, `npm link`) would otherwise pay a transform of all of Retrace in every worker.
 */
function builtFolders(): RegExp[] {
  const folders = new Set<string>()
  // @retrace/cassettes is reached only through these builds, which Node loads natively.
  for (const specifier of ['@retrace/core', '@retrace/matchers', import.meta.url]) {
    try {
      const file = fileURLToPath(specifier.startsWith('file:') ? specifier : import.meta.resolve(specifier))
      // Sources (this repository's own tests) stay with Vite, which strips their types.
      if (!file.endsWith('.ts')) folders.add(dirname(file))
    } catch {
      // Not resolvable from here: Vitest's defaults apply.
    }
  }
  // Vitest matches ids with forward slashes, on Windows too.
  return [...folders].map((folder) => new RegExp(`^${`${folder.replaceAll('\\', '/')}/`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
}

/**
 * The Vitest plugin: installs interception and the `toMatchCassette`, `toMatchTrajectory` and
 * `toStayWithinBudget` matchers in every worker, and reports recorded / replayed /
 * equivalent / diverged / obsolete cassettes at the end of the run. `vitest -u` (or
 * `RETRACE_UPDATE=1`) re-records; under CI nothing is ever recorded.
 *
 * @example
 * // vitest.config.ts: export default defineConfig({ plugins: [retrace()] })
 * import { defineConfig } from 'vitest/config'
 * import { retrace } from '@retrace/vitest'
 * const config = defineConfig({ plugins: [retrace({ threshold: 0.7 })] })
 * config.plugins?.map((plugin) => (plugin as { name: string }).name) // → ['retrace']
 */
export function retrace(options: RetracePluginOptions = {}): Vite.Plugin {
  return {
    name: 'retrace',
    config() {
      return { test: { setupFiles: [setupFile], server: { deps: { external: builtFolders() } } } }
    },
    async configureVitest({ vitest }: VitestPluginContext) {
      const update = vitest.config.update === true || vitest.config.update === 'all'
      // Workers start after this runs and inherit the environment.
      if (update) process.env.RETRACE_UPDATE = '1'
      if (Object.keys(options).length) {
        const { DEFAULTS_VARIABLE } = await import('@retrace/matchers')
        process.env[DEFAULTS_VARIABLE] = JSON.stringify(options)
      }
      // One reporter per run: every project using the plugin calls this hook, and a second
      // reporter would read an already-closed ledger.
      if (!vitest.config.reporters.some((reporter) => reporter instanceof RetraceReporter)) vitest.config.reporters.push(new RetraceReporter({ update }))
    },
  }
}
