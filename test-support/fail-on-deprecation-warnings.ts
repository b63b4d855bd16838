// A setup file of the packages' test project: a test in which a provider SDK warned that a
// model or an option is deprecated (the Anthropic SDK does so on console.warn for
// `claude-sonnet-4-5`, for instance) fails, so fixtures keep to current model names and the
// test output stays free of those warnings.
import { afterEach, expect } from 'vitest'

const warnings: string[] = []
const warn = console.warn.bind(console)

console.warn = (...args: unknown[]) => {
  const text = args.map(String).join(' ')
  if (/\bdeprecated\b/iu.test(text)) warnings.push(text.split('\n')[0]!)
  warn(...args)
}

afterEach(() => {
  expect(warnings.splice(0), 'a provider SDK warned about a deprecated model or option: use a current one').toEqual([])
})
