import { extractExamples } from './extract-examples.ts'
for (const folder of process.argv.slice(2)) for (const file of extractExamples(folder)) for (const e of file.examples) console.log(`## ${e.file}:${e.line} ${e.symbol}\n${e.lines.map((l) => l.replace(/^ {3}/, '')).join('\n')}`)
