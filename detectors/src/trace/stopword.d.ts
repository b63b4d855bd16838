// stopword 3 ships no types; the one list used here.
declare module 'stopword' {
  /** English stopwords, lower case. */
  export const eng: readonly string[]
}
