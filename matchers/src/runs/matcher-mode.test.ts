import { describe, expect, test } from 'vitest'
import { RetraceConfigError } from '@retrace/cassettes'
import { matcherMode } from './matcher-mode.ts'

const local = {}
const ci = { CI: 'true' }

describe('matcherMode', () => {
  test('locally: records a missing cassette, replays an existing one', () => {
    expect(matcherMode({ exists: false, update: false }, local)).toBe('record')
    expect(matcherMode({ exists: true, update: false }, local)).toBe('replay')
  })

  test('-u, RETRACE_UPDATE=1 and RETRACE_MODE=record re-record an existing cassette', () => {
    expect(matcherMode({ exists: true, update: true }, local)).toBe('record')
    expect(matcherMode({ exists: true, update: false }, { RETRACE_UPDATE: '1' })).toBe('record')
    expect(matcherMode({ exists: true, update: false }, { RETRACE_UPDATE: 'yes' })).toBe('record')
    expect(matcherMode({ exists: true, update: false }, { RETRACE_MODE: 'Record ' })).toBe('record')
  })

  test('RETRACE_UPDATE set to a false value does not re-record', () => {
    for (const value of ['', '0', 'false', 'no', ' FALSE ']) expect(matcherMode({ exists: true, update: false }, { RETRACE_UPDATE: value })).toBe('replay')
  })

  test('under CI nothing is ever recorded: a missing cassette is missing, even with -u', () => {
    expect(matcherMode({ exists: false, update: false }, ci)).toBe('missing')
    expect(matcherMode({ exists: false, update: true }, ci)).toBe('missing')
    expect(matcherMode({ exists: true, update: true }, ci)).toBe('replay')
    expect(matcherMode({ exists: true, update: false }, { ...ci, RETRACE_MODE: 'record' })).toBe('replay')
  })

  test('RETRACE_MODE=replay never records a missing cassette', () => {
    expect(matcherMode({ exists: false, update: false }, { RETRACE_MODE: 'replay' })).toBe('missing')
    expect(matcherMode({ exists: true, update: false }, { RETRACE_MODE: 'replay' })).toBe('replay')
  })

  test('RETRACE_MODE=passthrough runs live against the golden cassette, except under CI', () => {
    expect(matcherMode({ exists: true, update: false }, { RETRACE_MODE: 'passthrough' })).toBe('live')
    expect(matcherMode({ exists: false, update: false }, { RETRACE_MODE: 'passthrough' })).toBe('live')
    expect(matcherMode({ exists: true, update: false }, { ...ci, RETRACE_MODE: 'passthrough' })).toBe('replay')
  })

  test('RETRACE_MODE=auto is the default behaviour', () => {
    expect(matcherMode({ exists: false, update: false }, { RETRACE_MODE: 'auto' })).toBe('record')
    expect(matcherMode({ exists: true, update: false }, { RETRACE_MODE: 'auto' })).toBe('replay')
  })

  test('an unknown RETRACE_MODE is a RetraceConfigError naming the variable and the valid modes', () => {
    let error: unknown
    try {
      matcherMode({ exists: true, update: false }, { RETRACE_MODE: 'replya' })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(RetraceConfigError)
    expect((error as RetraceConfigError).field).toBe('RETRACE_MODE')
    expect((error as RetraceConfigError).message).toContain('"replya" is not a mode')
    expect((error as RetraceConfigError).hint).toContain('record, replay, auto, passthrough')
  })
})
