import { syntheticTraces, type SyntheticTrace } from './synthetic-traces.ts'

/** One synthetic fixture by its name (throws on a typo, so a renamed fixture fails loudly). */
export function fixtureNamed(name: string): SyntheticTrace {
  const found = syntheticTraces().find((fixture) => fixture.name === name)
  if (!found) throw new Error(`no synthetic fixture named "${name}"`)
  return found
}
