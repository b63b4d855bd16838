import { describe, expect, test } from 'vitest'
import { equalIgnoringWhitespace, normalizeWhitespace, tokenize } from './tokenize.ts'

describe('tokenize', () => {
  test('lower-cases, drops punctuation, keeps numbers and ids whole', () => {
    expect(tokenize('Order ORD-1234: 18.5 kg, don\'t!')).toEqual(['order', 'ord-1234', '18.5', 'kg', "don't"])
  })

  test('folds plurals and -ed/-ing so inflections count as one term', () => {
    expect(tokenize('degrees degree')).toEqual(['degre', 'degre'])
    expect(tokenize('included including include')).toEqual(['includ', 'includ', 'includ'])
    expect(tokenize('shipped ship cities city')).toEqual(['ship', 'ship', 'city', 'city'])
    // Not plurals.
    expect(tokenize('Paris class status this')).toEqual(['paris', 'class', 'status', 'this'])
  })

  test('reads non-ASCII text with Unicode word classes and NFKC folding', () => {
    expect(tokenize('Zürich café ﬁle')).toEqual(['zürich', 'café', 'file'])
  })
})

describe('whitespace', () => {
  test('normalizeWhitespace collapses runs and line endings', () => {
    expect(normalizeWhitespace(' Hello\r\n  world ')).toBe('Hello world')
  })

  test.each([
    ['a  b\r\n', ' a b', true],
    ['a b', 'a\tb', true],
    ['ab', 'a b', false],
    ['a b', 'a c', false],
    ['a', 'a b', false],
    ['', '   ', true],
  ])('equalIgnoringWhitespace(%j, %j) is %s, like comparing normalised strings', (a, b, equal) => {
    expect(equalIgnoringWhitespace(a, b)).toBe(equal)
    expect(normalizeWhitespace(a) === normalizeWhitespace(b)).toBe(equal)
  })
})
