/** A unit or currency a number may carry. */
export interface UnitInfo {
  /** Intl's unit identifier ("kilogram", "celsius") or an ISO 4217 currency code ("EUR"). */
  id: string
  /** Units of one dimension with a `factor` convert: "2 hours" equals "120 minutes". */
  dimension: string
  /** How many base units of the dimension one of this unit is; undefined when it does not convert. */
  factor: number | undefined
}

/** A number as written, with the units its neighbours give it (several when a name is ambiguous: "pounds"). */
export interface Quantity {
  /** Normalised: "1,250.00" → "1250", "two" → "2". */
  value: string
  units: readonly UnitInfo[]
  /** The unit as written ("°C", "kilograms", "$"), for messages. */
  unitText: string | undefined
  /** Where a unit written after the number ends in the text it was read from. */
  unitAfter?: number
  /** Number and unit as written: "21°C", "2.5 kg", "$1,250". */
  written: string
}

// SI prefixes in Intl's unit names ("kilogram", "megabyte"): the factor to the bare unit.
const PREFIXES: Record<string, number> = { peta: 1e15, tera: 1e12, giga: 1e9, mega: 1e6, kilo: 1e3, centi: 1e-2, milli: 1e-3, micro: 1e-6, nano: 1e-9 }
const BASES = ['byte', 'bit', 'meter', 'gram', 'liter', 'second']
// Time units that are not SI-prefixed seconds, in seconds. Months and years vary in length: no factor.
const TIME: Record<string, number> = { minute: 60, hour: 3600, day: 86_400, week: 604_800 }
// Units whose names ICU does not spell the way people write them, beside Intl's own names.
const EXTRA_UNIT_NAMES: Record<string, string[]> = {
  pound: ['lbs'],
  kilogram: ['kgs', 'kilo', 'kilos'],
  minute: ['mins'],
  hour: ['h', 'hrs'],
  second: ['s', 'secs'],
  kilobyte: ['KB'],
  percent: ['per cent', 'pct'],
  degree: ['°'],
  tonne: ['t', 'tonne', 'tonnes', 'ton', 'tons', 'metric ton', 'metric tons'],
}

let unitTable: Map<string, UnitInfo[]> | undefined

/**
 * Every way of writing a unit or currency, read from the ICU data built into Node (`Intl`):
 * "kg", "kilogram", "kilograms", "kilogrammes"… for each unit ECMA-402 sanctions, and each
 * currency's code, symbols and name ("EUR", "€", "euros"; "$" and "dollars" stand for every
 * dollar). Built on first use (about 25 ms); keys are as written and lower-cased.
 *
 * @example
 * unitsNamed('°C') // [{ id: 'celsius', dimension: 'temperature', factor: undefined }]
 */
export function unitsNamed(name: string): readonly UnitInfo[] {
  const table = (unitTable ??= buildUnitTable())
  return table.get(name) ?? table.get(name.toLowerCase()) ?? []
}

function buildUnitTable(): Map<string, UnitInfo[]> {
  const table = new Map<string, UnitInfo[]>()
  const add = (name: string, unit: UnitInfo) => {
    for (const key of new Set([name, name.toLowerCase()])) {
      const list = table.get(key) ?? []
      if (!list.some((other) => other.id === unit.id)) list.push(unit)
      table.set(key, list)
    }
  }
  const units = [...Intl.supportedValuesOf('unit'), 'kilometer-per-hour', 'mile-per-hour']
  for (const id of units) {
    const unit = describeUnit(id)
    for (const locale of ['en-US', 'en-GB']) {
      for (const unitDisplay of ['short', 'long'] as const) {
        for (const count of [1, 2]) add(unitText(new Intl.NumberFormat(locale, { style: 'unit', unit: id, unitDisplay }).formatToParts(count)), unit)
      }
    }
    for (const name of EXTRA_UNIT_NAMES[id] ?? []) add(name, unit)
  }
  add('tonne', { id: 'tonne', dimension: 'mass', factor: 1e6 })
  for (const name of EXTRA_UNIT_NAMES.tonne!) add(name, { id: 'tonne', dimension: 'mass', factor: 1e6 })
  for (const code of Intl.supportedValuesOf('currency')) {
    const unit: UnitInfo = { id: code, dimension: 'currency', factor: undefined }
    add(code, unit)
    const format = (currencyDisplay: 'symbol' | 'narrowSymbol' | 'name', count: number) =>
      unitText(new Intl.NumberFormat('en-US', { style: 'currency', currency: code, currencyDisplay }).formatToParts(count), 'currency')
    add(format('symbol', 1), unit)
    add(format('narrowSymbol', 1), unit)
    // "US dollars" is also "dollars"; "euros" is also "euro".
    for (const count of [1, 2]) {
      const name = format('name', count)
      add(name, unit)
      add(name.split(' ').at(-1)!, unit)
    }
  }
  return table
}

function unitText(parts: Intl.NumberFormatPart[], type: 'unit' | 'currency' = 'unit'): string {
  return parts
    .filter((part) => part.type === type)
    .map((part) => part.value)
    .join('')
    .trim()
}

function describeUnit(id: string): UnitInfo {
  if (id in TIME) return { id, dimension: 'time', factor: TIME[id] }
  const prefixed = /^(peta|tera|giga|mega|kilo|centi|milli|micro|nano)?(byte|bit|meter|gram|liter|second)$/.exec(id)
  if (prefixed) return { id, dimension: prefixed[2] === 'second' ? 'time' : prefixed[2]!, factor: prefixed[1] ? PREFIXES[prefixed[1]]! : 1 }
  if (BASES.includes(id)) return { id, dimension: id, factor: 1 }
  if (id === 'celsius' || id === 'fahrenheit' || id === 'degree') return { id, dimension: 'temperature', factor: undefined }
  return { id, dimension: id, factor: undefined }
}

/**
 * Whether two quantities say the same: equal values in a shared unit (or where either has no
 * unit), or equal amounts after conversion ("2 hours" = "120 minutes", "1.5 GB" = "1500 MB").
 * A bare "degrees" matches °C and °F. Returns 'unit' when the values match but the units cannot.
 *
 * @example
 * const quantity = (value: string, unit: string) => ({ value, units: unitsNamed(unit), unitText: unit, written: `${value} ${unit}` })
 * compareQuantities(quantity('21', '°C'), quantity('21', '°F')) // → 'unit'
 * compareQuantities(quantity('2', 'hours'), quantity('120', 'minutes')) // → 'same'
 * compareQuantities(quantity('2', 'hours'), quantity('3', 'hours')) // → 'different'
 */
export function compareQuantities(a: Quantity, b: Quantity): 'same' | 'unit' | 'different' {
  if (a.value === b.value) {
    if (a.units.length === 0 || b.units.length === 0) return 'same'
    for (const x of a.units) for (const y of b.units) if (x.id === y.id || (x.dimension === 'temperature' && y.dimension === 'temperature' && (x.id === 'degree' || y.id === 'degree'))) return 'same'
    return 'unit'
  }
  // Different numbers say the same only in two convertible units ("2 hours", "120 minutes").
  for (const x of a.units) {
    if (x.factor === undefined) continue
    for (const y of b.units) {
      if (y.factor === undefined || x.dimension !== y.dimension) continue
      const left = Number(a.value) * x.factor
      const right = Number(b.value) * y.factor
      if (Math.abs(left - right) <= 1e-9 * Math.max(Math.abs(left), Math.abs(right))) return 'same'
    }
  }
  return 'different'
}

const SMALL: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, dozen: 12,
}
const ORDINAL: Record<string, number> = {
  third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, thirteenth: 13, fifteenth: 15, twentieth: 20, thirtieth: 30, hundredth: 100,
}
const SCALE: Record<string, number> = { hundred: 100, thousand: 1e3, million: 1e6, billion: 1e9 }

// "first" and "second" are left out: far more often discourse ("first, …", "the first one")
// or a unit ("a second") than a count.
/** The English number words, as one alternation (longest first so "seventeen" wins over "seven"). */
export const NUMBER_WORD_PATTERN = [...Object.keys(SMALL), ...Object.keys(ORDINAL), ...Object.keys(SCALE)].sort((x, y) => y.length - x.length).join('|')

/**
 * The value of a run of English number words: "twenty-five" → 25, "two hundred" → 200,
 * "a dozen" → 12, "third" → 3, "a single" → 1, "minus five" → -5. Undefined when the words
 * are not a number ("a", "one of", "half").
 *
 * @example
 * numberWordsValue(['two', 'hundred']) // 200
 */
export function numberWordsValue(words: readonly string[]): number | undefined {
  let total = 0
  let current = 0
  let seen = false
  let sign = 1
  for (const [i, raw] of words.entries()) {
    const word = raw.toLowerCase()
    if (word === 'minus' && i === 0) sign = -1
    else if ((word === 'a' || word === 'an') && i === 0) current = 1
    else if (word === 'single' && current === 1 && i === 1) seen = true
    else if (word in SMALL) {
      current = word === 'dozen' ? Math.max(current, 1) * 12 : current + SMALL[word]!
      seen = true
    } else if (word in ORDINAL) {
      current += ORDINAL[word]!
      seen = true
    } else if (word in SCALE) {
      total += Math.max(current, 1) * SCALE[word]!
      current = 0
      seen = true
    } else return undefined
  }
  return seen ? sign * (total + current) : undefined
}
