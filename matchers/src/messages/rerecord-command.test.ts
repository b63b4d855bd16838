import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { recordCommand, rerecordCommand } from './rerecord-command.ts'

const cwd = join('/repo')
const at = (testName: string, runner: 'vitest' | 'jest' = 'vitest') => ({ runner, testPath: join(cwd, 'test', 'agent.test.ts'), testName })

describe('the command a failure message tells the user to run', () => {
  test('vitest and jest, with the test file relative to the working directory', () => {
    expect(rerecordCommand(at('books'), cwd)).toBe('npx vitest run test/agent.test.ts -t books -u')
    expect(rerecordCommand(at('books', 'jest'), cwd)).toBe('npx jest test/agent.test.ts -t books -u')
  })

  test('recording a missing cassette is the same command without -u', () => {
    expect(recordCommand(at('books'), cwd)).toBe('npx vitest run test/agent.test.ts -t books')
    expect(recordCommand(at('books', 'jest'), cwd)).toBe('npx jest test/agent.test.ts -t books')
  })

  test('the test name is a regular expression to -t: its special characters are escaped, and it is quoted for the shell', () => {
    expect(rerecordCommand(at('flights > books (cheapest) $5?'), cwd)).toBe('npx vitest run test/agent.test.ts -t "flights > books \\\\(cheapest\\\\) \\\\\\$5\\\\?" -u')
    expect(rerecordCommand(at('says "hi"'), cwd)).toBe('npx vitest run test/agent.test.ts -t "says \\"hi\\"" -u')
  })

  test('a test file outside the working directory keeps a path that still names it', () => {
    const command = rerecordCommand({ runner: 'vitest', testPath: '/elsewhere/agent.test.ts', testName: 'books' }, cwd)
    expect(command).toBe('npx vitest run ../elsewhere/agent.test.ts -t books -u')
  })
})
