import { describe, expect, test } from 'vitest'
import { addCassetteAttribute, hasCassetteAttribute } from '../src/review/git-attributes.ts'

describe('.gitattributes', () => {
  test('the cassette line is appended once, on a line of its own', () => {
    const first = addCassetteAttribute('*.png binary')
    expect(first).toEqual({ text: '*.png binary\n*.cassette.json diff=retrace\n', changed: true })
    expect(addCassetteAttribute(first.text)).toEqual({ text: first.text, changed: false })
    expect(addCassetteAttribute('')).toEqual({ text: '*.cassette.json diff=retrace\n', changed: true })
  })

  test('an existing line with other attributes counts; another driver does not', () => {
    expect(hasCassetteAttribute('*.cassette.json   linguist-generated diff=retrace\r\n')).toBe(true)
    expect(hasCassetteAttribute('*.cassette.json diff=json\n')).toBe(false)
    expect(hasCassetteAttribute('# *.cassette.json diff=retrace\n')).toBe(false)
  })
})
