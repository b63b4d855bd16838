import { readFileSync } from 'node:fs'
import { buildTraceView, importWhoAndWhen } from '@retrace/detectors'
for (const f of process.argv.slice(2)) {
  const { trace } = importWhoAndWhen(JSON.parse(readFileSync(`/work/shared/data/who-and-when/hand-crafted/${f}`, 'utf8')))
  const view = buildTraceView(trace)
  const V = /\b(?:verif(?:y|ies|ied|ying|ication)|double[- ]check(?:s|ed|ing)?|cross[- ]?check(?:s|ed|ing)?|confirm(?:s|ed|ing|ation)?|validat(?:e|es|ed|ing|ion)|re-?check(?:s|ed|ing)?|sanity[- ]check|assert(?:s|ed|ion)?|tests? (?:pass|passed|fail|failed))\b/i
  console.log('##', f, 'answer:', JSON.stringify(trace.end?.output), 'steps', view.steps.length)
  for (const s of view.steps) if (V.test(s.text)) console.log(s.index, s.agent, s.to ?? '', (s.text.match(/.{0,80}(verif|confirm|validat|check)\w*.{0,60}/i) ?? [''])[0].replace(/\s+/g, ' '))
}
