import { describe, expect, test } from 'vitest'
import type { ErrorMessage } from '@retrace/protocol'
import { refusalOfMessage, refusalOfStatus } from './server-refusal.ts'

describe('server refusals', () => {
  test.each([
    [401, 'auth'],
    [403, 'auth'],
    [402, 'credits'],
    [429, 'rate'],
  ] as const)('HTTP %i is a refusal of kind %s', (status, kind) => {
    expect(refusalOfStatus(status)?.kind).toBe(kind)
  })

  test.each([400, 404, 413, 422, 500, 503])('HTTP %i is not a refusal of the client', (status) => {
    expect(refusalOfStatus(status, { retryAfterSeconds: 1, message: 'no' })).toBeUndefined()
  })

  test('an error message means what its HTTP status means, with the server’s delay and words', () => {
    const message = (code: ErrorMessage['code'], retryAfterSeconds?: number): ErrorMessage => ({ type: 'error', code, message: `said ${code}`, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) })
    expect(refusalOfMessage(message('auth'))).toEqual({ kind: 'auth', status: 401, message: 'said auth' })
    expect(refusalOfMessage(message('credits_exhausted', 30))).toEqual(refusalOfStatus(402, { retryAfterSeconds: 30, message: 'said credits_exhausted' }))
    expect(refusalOfMessage(message('rate_limited'))).toEqual({ kind: 'rate', message: 'said rate_limited' })
    expect(refusalOfMessage(message('bad_request'))).toBeUndefined()
    expect(refusalOfMessage(message('server'))).toBeUndefined()
  })
})
