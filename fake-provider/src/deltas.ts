/** How streamed content is cut into deltas; every split concatenates back to its input. */

/**
 * Splits text into word-sized deltas, each keeping the whitespace that follows it.
 *
 * @example
 * splitIntoWordDeltas('You said: hi') // ['You ', 'said: ', 'hi']
 */
export function splitIntoWordDeltas(text: string): string[] {
  if (text === '') return []
  return text.split(/(?<=\s)(?=\S)/u)
}

/**
 * Splits a string (tool-call arguments) into at most `count` fragments of similar size,
 * never inside a surrogate pair.
 *
 * @example
 * splitIntoFragments('{"city":"Paris"}', 3) // ['{"city"', ':"Paris', '"}']
 */
export function splitIntoFragments(text: string, count = 3): string[] {
  const codePoints = Array.from(text)
  const size = Math.max(1, Math.ceil(codePoints.length / count))
  const fragments: string[] = []
  for (let start = 0; start < codePoints.length; start += size) {
    fragments.push(codePoints.slice(start, start + size).join(''))
  }
  return fragments
}
