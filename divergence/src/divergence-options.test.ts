import { describe, expect, test } from 'vitest'
import { RetraceConfigError } from '@retrace/cassettes'
import { CRITICAL_TOKEN_KINDS } from './critical-tokens.ts'
import { DEFAULT_DIVERGENCE_OPTIONS, mergeDivergenceOptions, parseDivergenceOptions, resolveDivergenceOptions } from './divergence-options.ts'

describe('parseDivergenceOptions', () => {
  test('returns valid options as given (an embedder instance keeps its identity)', () => {
    const embedder = { id: 'm', embed: async (texts: string[]) => texts.map(() => [1]) }
    const options = { textThreshold: 0.6, criticalTokens: ['number' as const], embedder }
    expect(parseDivergenceOptions(options)).toBe(options)
  })

  test.each([
    [{ textThreshold: 2 }, 'divergence.textThreshold'],
    [{ textTreshold: 0.5 }, 'divergence'],
    [{ criticalTokens: ['numbers'] }, 'divergence.criticalTokens'],
    [{ embedder: { id: 'm' } }, 'divergence.embedder.embed'],
    [{ toolCallOrder: 'sorted' }, 'divergence.toolCallOrder'],
    [{ ignorePaths: ['$.a[oops'] }, 'divergence.ignorePaths[0]'],
  ])('rejects %j naming %s', (input, field) => {
    let error: unknown
    try {
      parseDivergenceOptions(input)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(RetraceConfigError)
    expect((error as RetraceConfigError).field).toBe(field)
  })
})

describe('mergeDivergenceOptions', () => {
  test('later layers win field by field; path lists are concatenated', () => {
    expect(
      mergeDivergenceOptions({ textThreshold: 0.6, numberTolerance: 0.01, ignorePaths: ['$..id'] }, undefined, { textThreshold: 0.7, ignorePaths: ['$.result.at', '$..id'] }),
    ).toEqual({ textThreshold: 0.7, numberTolerance: 0.01, ignorePaths: ['$..id', '$.result.at'] })
  })
})

describe('resolveDivergenceOptions', () => {
  test('applies the defaults', () => {
    const resolved = resolveDivergenceOptions()
    expect(resolved.textThreshold).toBe(DEFAULT_DIVERGENCE_OPTIONS.textThreshold)
    expect(resolved.criticalKinds.size).toBe(CRITICAL_TOKEN_KINDS.length)
    expect(resolveDivergenceOptions({ criticalTokens: false }).criticalKinds.size).toBe(0)
    expect(resolveDivergenceOptions({ setPaths: ['$..tags'] }).setPaths).toEqual([[{ kind: 'descend' }, { kind: 'key', key: 'tags' }]])
  })
})
