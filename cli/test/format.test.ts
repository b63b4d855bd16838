import { describe, expect, test } from 'vitest'
import { clip, formatDelta, formatMs, formatUsd } from '../src/review/format.ts'

describe('number formats', () => {
  test('USD: six decimals at most, no trailing zeros, and never a misleading $0.000000', () => {
    expect([formatUsd(0), formatUsd(0.000018), formatUsd(0.0000432), formatUsd(0.5), formatUsd(12.345), formatUsd(-0.00002), formatUsd(0.0000001)]).toEqual([
      '$0',
      '$0.000018',
      '$0.000043',
      '$0.5',
      '$12.35',
      '-$0.00002',
      '<$0.000001',
    ])
  })

  test('deltas are signed, and float noise reads as 0', () => {
    expect([formatDelta(3), formatDelta(-2), formatDelta(0.1 + 0.2 - 0.3), formatDelta(0.00002, formatUsd), formatDelta(-1500, formatMs)]).toEqual(['+3', '-2', '0', '+$0.00002', '-1.5 s'])
  })

  test('clip says how much it left out', () => {
    expect(clip('abcdef', 3)).toBe('abc… (+3 chars)')
    expect(clip('abc', 3)).toBe('abc')
    expect(clip('abcdef', undefined)).toBe('abcdef')
  })
})
