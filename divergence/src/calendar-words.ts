/**
 * Dates written as words: weekdays, months on their own, today/tomorrow/yesterday, "next
 * week", parts of the day and seasons. Names come from the ICU data built into Node
 * (`Intl.DateTimeFormat`), so "Tue", "Tues" and "Tuesday" are one weekday.
 */

/** A date word found in a text: `value` is comparable ("weekday:2", "day:+1"), `start`/`end` its span. */
export interface CalendarWord {
  value: string
  text: string
  start: number
  end: number
}

let patterns: Array<{ pattern: RegExp; read: (match: RegExpExecArray) => string | undefined }> | undefined

/**
 * Finds the date words of a text, longest forms first, without overlaps.
 *
 * @example
 * findCalendarWords('See you next week, on Tuesday morning.').map((word) => word.value)
 * // ['period:next:week', 'weekday:2', 'part:morning']
 */
export function findCalendarWords(text: string): CalendarWord[] {
  patterns ??= buildPatterns()
  const found: CalendarWord[] = []
  const taken: Array<[number, number]> = []
  for (const { pattern, read } of patterns) {
    pattern.lastIndex = 0
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const start = match.index
      const end = start + match[0].length
      if (taken.some(([s, e]) => start < e && end > s)) continue
      const value = read(match)
      if (value === undefined) continue
      taken.push([start, end])
      found.push({ value, text: match[0], start, end })
    }
  }
  return found.sort((x, y) => x.start - y.start)
}

function buildPatterns(): Array<{ pattern: RegExp; read: (match: RegExpExecArray) => string | undefined }> {
  const weekdays = new Map<string, number>()
  const longDays: string[] = []
  for (let day = 0; day < 7; day++) {
    // 7 January 2024 was a Sunday.
    const date = new Date(Date.UTC(2024, 0, 7 + day))
    const long = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: 'UTC' }).format(date)
    longDays.push(long)
    weekdays.set(long, day)
    weekdays.set(new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: 'UTC' }).format(date), day)
  }
  // Spellings ICU does not produce but people write.
  for (const [name, day] of [['Tues', 2], ['Weds', 3], ['Thur', 4], ['Thurs', 4]] as const) weekdays.set(name, day)
  const months = new Map<string, number>()
  for (let month = 0; month < 12; month++) {
    const date = new Date(Date.UTC(2024, month, 15))
    for (const style of ['long', 'short'] as const) months.set(new Intl.DateTimeFormat('en-US', { month: style, timeZone: 'UTC' }).format(date), month + 1)
  }
  months.set('Sept', 9)
  const shortDays = [...weekdays.keys()].filter((name) => !longDays.includes(name))
  const monthNames = [...months.keys()].filter((name) => name !== 'May')
  const dayOf = (name: string) => weekdays.get(name[0]!.toUpperCase() + name.slice(1).toLowerCase().replace(/s$/, '')) ?? weekdays.get(name.replace(/s$/, ''))
  return [
    {
      // "next week", "last quarter", "this weekend".
      pattern: /\b(next|last|this|coming|following|previous)\s+(week|month|year|weekend|quarter)\b/gi,
      read: (m) => `period:${{ coming: 'next', following: 'next', previous: 'last' }[m[1]!.toLowerCase()] ?? m[1]!.toLowerCase()}:${m[2]!.toLowerCase()}`,
    },
    // Full weekday names in any case, plural for "on Fridays"; short ones capitalised only ("Sun" is not "sun").
    { pattern: new RegExp(`\\b(${longDays.join('|')})s?\\b`, 'gi'), read: (m) => `weekday:${dayOf(m[1]!)}` },
    { pattern: new RegExp(`\\b(${shortDays.join('|')})\\b\\.?`, 'g'), read: (m) => `weekday:${weekdays.get(m[1]!)}` },
    { pattern: new RegExp(`\\b(${monthNames.join('|')})\\b\\.?`, 'g'), read: (m) => `month:${months.get(m[1]!)}` },
    // "May" is a month after a preposition only ("in May"), not in "May I help?".
    { pattern: /\b(?<=(?:in|of|since|until|till|by|from|early|late|mid|next|last|this|during|before|after)\s)May\b/g, read: () => 'month:5' },
    // Quarters: "Q3" = "the third quarter".
    { pattern: /\bQ([1-4])\b|\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b/gi, read: (m) => `quarter:${m[1] ?? { first: 1, second: 2, third: 3, fourth: 4 }[m[2]!.toLowerCase()] ?? m[2]![0]}` },
    { pattern: /\b(today|tonight|tomorrow|yesterday)\b/gi, read: (m) => ({ today: 'day:0', tonight: 'night:0', tomorrow: 'day:+1', yesterday: 'day:-1' })[m[1]!.toLowerCase()] },
    { pattern: /\b(weekday|weekend)s?\b/gi, read: (m) => `period:${m[1]!.toLowerCase()}` },
    { pattern: /\b(morning|afternoon|evening|night)s?\b/gi, read: (m) => `part:${m[1]!.toLowerCase()}` },
    // "fall" is a season only after a determiner or preposition ("this fall", "in the fall").
    { pattern: /\b(spring|summer|autumn|winter)\b|\b(?<=(?:the|this|next|last|in|early|late)\s)fall\b/gi, read: (m) => `season:${(m[1] ?? 'autumn').toLowerCase()}` },
  ]
}
