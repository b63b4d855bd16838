import { expect, test } from 'vitest'
import { createLogger } from './logger.ts'

// What the server's log lines may hold: never a key or a secret-shaped string, never the row
// a database error quotes; enough of an error (class, message, code) to act on.

const KEY = ['sk-proj-', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789'].join('')

function capture(): { lines: Array<Record<string, unknown>>; log: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = []
  const log = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } })
  return { lines, log }
}

class DatabaseError extends Error {
  code = '23505'
  detail = `Key (secret)=(${KEY}) already exists.`
  where = 'SQL statement "INSERT INTO api_keys …"'
}

test('a database error is logged with its class, message and code, never the row its detail quotes', () => {
  const { lines, log } = capture()
  log.warn({ err: new DatabaseError('duplicate key value violates unique constraint "api_keys_pkey"') }, 'insert failed')
  const err = lines[0]!.err as Record<string, unknown>
  expect(err).toMatchObject({ type: 'DatabaseError', code: '23505', message: 'duplicate key value violates unique constraint "api_keys_pkey"' })
  expect(err.stack).toContain('logger.test.ts')
  expect(JSON.stringify(lines)).not.toContain(KEY)
  expect(err).not.toHaveProperty('detail')
  expect(err).not.toHaveProperty('where')
})

test('a secret in a message, a field, a field name or an error message is redacted', () => {
  const { lines, log } = capture()
  log.info({ header: `Bearer ${KEY}`, nested: { [KEY]: [KEY] }, err: new Error(`rejected ${KEY}`) }, `calling with ${KEY}`)
  const text = JSON.stringify(lines)
  expect(text).not.toContain(KEY)
  expect(lines[0]!.msg).toMatch(/^calling with \S+/)
})

test('an error code that is not an identifier is left out', () => {
  const { lines, log } = capture()
  log.error({ err: Object.assign(new Error('boom'), { code: `value ${KEY}` }) }, 'failed')
  expect(lines[0]!.err).not.toHaveProperty('code')
  expect(JSON.stringify(lines)).not.toContain(KEY)
})
