// Scratch: ranking policies on the DEVELOPMENT half only.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { detect, importWhoAndWhen, whoAndWhenStep, type Flag } from '@retrace/detectors'
import { whoAndWhenDir, halfOf } from '../bench/detectors.ts'
const dir = whoAndWhenDir()!
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort((a, b) => parseInt(a) - parseInt(b)).filter((f, i) => halfOf(f, i) === 'dev')
const policies: Record<string, (flags: Flag[], stepOf: (f: Flag) => number) => Flag | undefined> = {
  confidence: (flags) => flags[0],
  earliest: (flags, stepOf) => [...flags].sort((a, b) => stepOf(a) - stepOf(b))[0],
}
const score: Record<string, [number, number]> = {}
const detail = process.argv.includes('--detail')
for (const file of files) {
  const { trace, labels } = importWhoAndWhen(JSON.parse(readFileSync(join(dir, file), 'utf8')))
  const flags = detect(trace).flags
  const stepOf = (f: Flag) => whoAndWhenStep(trace, f.spanIds[0]!) ?? 1e9
  for (const [name, pick] of Object.entries(policies)) {
    const top = pick(flags, stepOf)
    const s = (score[name] ??= [0, 0])
    if (top?.agent === labels!.mistakeAgent) s[0]++
    if (top && stepOf(top) === labels!.mistakeStep) s[1]++
  }
  if (detail) console.log(file, `${labels!.mistakeAgent}@${labels!.mistakeStep}`, flags.map((f) => `${f.kind}:${f.agent}@${stepOf(f)}(${f.confidence})`).join(' '))
}
console.log(files.length, score)
