import { afterEach, describe, expect, test } from 'vitest'
import { RetraceConfigError } from '@retrace/cassettes'
import { thrownBy } from '../../../test-support/thrown-by.ts'
import { configureMatchers, DEFAULTS_VARIABLE, resolveMatchOptions } from './matcher-options.ts'

const noEnv = {}

afterEach(() => configureMatchers({}))

const configError = (run: () => unknown) => thrownBy(run, RetraceConfigError)

describe('resolveMatchOptions: the three ways to call a matcher', () => {
  test('() → no options', () => {
    expect(resolveMatchOptions([], 'toMatchCassette', noEnv)).toEqual({ divergence: {}, cassette: {} })
  })

  test('(name) → the cassette is named', () => {
    expect(resolveMatchOptions(['refund flow'], 'toMatchCassette', noEnv)).toMatchObject({ name: 'refund flow' })
  })

  test('(options) and (name, options): the name argument wins over options.name', () => {
    expect(resolveMatchOptions([{ threshold: 0.8 }], 'toMatchCassette', noEnv)).toMatchObject({ threshold: 0.8 })
    expect(resolveMatchOptions(['refund flow', { threshold: 0.8, name: 'other' }], 'toMatchCassette', noEnv)).toMatchObject({ name: 'refund flow', threshold: 0.8 })
  })
})

describe('resolveMatchOptions: defaults', () => {
  test('configureMatchers defaults sit under each call’s options; divergence and cassette options merge key by key', () => {
    configureMatchers({ threshold: 0.7, divergence: { numberTolerance: 0.9 }, cassette: { allowHosts: ['localhost'] } })
    const options = resolveMatchOptions([{ divergence: { textThreshold: 0.5 }, cassette: { ignorePaths: ['$.user'] } }], 'toMatchCassette', noEnv)
    expect(options).toEqual({
      threshold: 0.7,
      divergence: { numberTolerance: 0.9, textThreshold: 0.5 },
      cassette: { allowHosts: ['localhost'], ignorePaths: ['$.user'] },
    })
    expect(resolveMatchOptions([{ threshold: 0.9 }], 'toMatchCassette', noEnv).threshold).toBe(0.9)
  })

  test(`the plugins’ JSON defaults (${DEFAULTS_VARIABLE}) sit under configureMatchers`, () => {
    const env = { [DEFAULTS_VARIABLE]: JSON.stringify({ threshold: 0.6, divergence: { numberTolerance: 0.8 } }) }
    expect(resolveMatchOptions([], 'toMatchCassette', env)).toMatchObject({ threshold: 0.6, divergence: { numberTolerance: 0.8 } })
    configureMatchers({ threshold: 0.75 })
    expect(resolveMatchOptions([], 'toMatchCassette', env)).toMatchObject({ threshold: 0.75, divergence: { numberTolerance: 0.8 } })
  })
})

describe('bad options: a RetraceConfigError naming the matcher and the field', () => {
  test('an unknown option is named, with the list of valid ones', () => {
    const error = configError(() => resolveMatchOptions([{ treshold: 0.8 }], 'toMatchCassette', noEnv))
    expect(error.field).toBe('toMatchCassette')
    expect(error.message).toContain('unknown option(s) treshold')
    expect(error.hint).toBe('Matcher options are: name, threshold, divergence, cassette.')
  })

  test('a threshold out of range names options.threshold', () => {
    expect(configError(() => resolveMatchOptions(['flow', { threshold: 1.5 }], 'toMatchTrajectory', noEnv)).field).toBe('toMatchTrajectory.threshold')
  })

  test('an empty name is refused', () => {
    expect(configError(() => resolveMatchOptions([{ name: '' }], 'toMatchCassette', noEnv)).field).toBe('toMatchCassette.name')
  })

  test('configureMatchers checks its defaults at once', () => {
    expect(configError(() => configureMatchers({ divergence: 'strict' } as never)).field).toBe('configureMatchers.divergence')
  })

  test(`bad defaults in ${DEFAULTS_VARIABLE} name the variable`, () => {
    const error = configError(() => resolveMatchOptions([], 'toMatchCassette', { [DEFAULTS_VARIABLE]: JSON.stringify({ thresold: 1 }) }))
    expect(error.field).toBe(DEFAULTS_VARIABLE)
  })
})
