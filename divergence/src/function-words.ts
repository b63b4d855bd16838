/**
 * English closed-class words: pronouns, determiners, prepositions, conjunctions, auxiliaries
 * and a few discourse words. They carry grammar, not the content the guard compares, and
 * WordNet (which lists only nouns, verbs, adjectives and adverbs) misreads some of them
 * ("I" as iodine, "in" as inch, "will" as a testament).
 */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves this that these those who whom whose which what whatever whoever ' +
    'a an the some any each every either neither both all another other such no not nor only own same so than too very ' +
    'and or but if then else because as until while of at by for with about against between into through during before ' +
    'after above below to from up down in out on off over under again further once here there when where why how ' +
    'am is are was were be been being have has had having do does did doing will would shall should can could may might must ' +
    "'s 's 're 've 'll 'd n't let lets just also still yet already even ever now then soon well oh hi hey hello please thanks " +
    'thank sure okay ok yes yeah alright via per upon onto within without across along around among toward towards ' +
    'one ones something anything everything nothing someone anyone everyone somebody anybody everybody'
  ).split(' '),
)

/** Closed-class words that still have opposites ("went up" / "went down", "yes" / "no", "in stock" / "out of stock"). */
export const POLAR_FUNCTION_WORDS: ReadonlySet<string> = new Set(['up', 'down', 'in', 'out', 'on', 'off', 'yes', 'no', 'more', 'less', 'before', 'after', 'above', 'below', 'over', 'under', 'all', 'none'])
