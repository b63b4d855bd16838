import { expect, test } from 'vitest'
import { compilePathPatterns, matchesAnyPath } from './path-patterns.ts'

test.each([
  ['$.arguments.tags', ['arguments', 'tags'], true],
  ['$.arguments.tags', ['arguments', 'tags', 0], false],
  ['$.arguments.items[*].sku', ['arguments', 'items', 3, 'sku'], true],
  ['$..id', ['arguments', 'user', 'id'], true],
  ['$..id', ['id'], true],
  ['$..id', ['arguments', 'idx'], false],
  ['$.result[0]', ['result', 0], true],
  ['$.result[0]', ['result', 1], false],
  ['$.arguments.*', ['arguments', 'city'], true],
] as const)('%s selects %j: %s', (pattern, path, expected) => {
  expect(matchesAnyPath(compilePathPatterns([pattern]), path)).toBe(expected)
})
