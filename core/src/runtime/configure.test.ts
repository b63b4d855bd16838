import { expect, test } from 'vitest'
import { RetraceConfigError } from '@retrace/cassettes'
import { resolveRuntimeConfig } from './config/runtime-config.ts'

test('an explicit option wins over the environment, which wins over the default', () => {
  const env = { RETRACE_MAX_USD_PER_RUN: '3', RETRACE_SAMPLE_RATE: '0.25', RETRACE_ENABLED: 'false', RETRACE_BASE_URL: 'https://retrace.example.com/' }
  const config = resolveRuntimeConfig({ maxUsdPerRun: 2 }, env)
  expect(config.maxUsdPerRun).toBe(2)
  expect(config.sampleRate).toBe(0.25)
  expect(config.enabled).toBe(false)
  expect(config.baseUrl).toBe('https://retrace.example.com')
  expect(resolveRuntimeConfig({}, {}).sampleRate).toBe(1)
  expect(resolveRuntimeConfig({}, {}).apiKey).toBeUndefined()
})

test('a bad value fails at configure(), naming the option or the variable', () => {
  expect(() => resolveRuntimeConfig({ sampleRate: 1.5 }, {})).toThrow(RetraceConfigError)
  expect(() => resolveRuntimeConfig({ sampleRate: 1.5 }, {})).toThrow(/Invalid sampleRate/)
  expect(() => resolveRuntimeConfig({}, { RETRACE_MAX_STEPS_PER_RUN: 'ten' })).toThrow(/Invalid RETRACE_MAX_STEPS_PER_RUN: "ten" is not a number/)
  expect(() => resolveRuntimeConfig({}, { RETRACE_SERVER_ENFORCEMENT: 'maybe' })).toThrow(/RETRACE_SERVER_ENFORCEMENT/)
  expect(() => resolveRuntimeConfig({ maxUSDPerRun: 1 } as never, {})).toThrow(/unknown option\(s\) maxUSDPerRun/)
  expect(() => resolveRuntimeConfig({ baseUrl: 'not a url' }, {})).toThrow(/baseUrl/)
})
