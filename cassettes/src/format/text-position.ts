import { getLocation } from 'jsonc-parser'
import { formatJsonPath } from '../json/json-path.ts'

/** A place in a file's text, as an editor shows it. */
export interface TextPosition {
  /** 0-based offset in the text. */
  offset: number
  /** 1-based line. */
  line: number
  /** 1-based column. */
  column: number
  /** `line 3, column 20`. */
  label: string
}

/**
 * The line and column of an offset in a text.
 *
 * @example
 * textPosition('{\n  "a": x', 9) // → { offset: 9, line: 2, column: 8, label: 'line 2, column 8' }
 */
export function textPosition(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return { offset, line, column, label: `line ${line}, column ${column}` }
}

/**
 * The JSON path of the value around an offset of a (possibly broken) JSON text, so an error
 * can say `$.interactions[3].response.status` and not only a line number. `$` when the
 * text is too broken, or too deep, to tell.
 *
 * @example
 * jsonPathAt('{"a": [1, x', 10) // → '$.a[1]'
 */
export function jsonPathAt(text: string, offset: number): string {
  try {
    return formatJsonPath(getLocation(text, offset).path.filter((segment) => segment !== ''))
  } catch {
    // jsonc-parser recurses per nesting level: a broken file nested thousands deep.
    return '$'
  }
}
