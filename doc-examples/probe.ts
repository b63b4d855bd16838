import { extractExamples, repoRoot } from './extract-examples.ts'
import { exampleModule } from './example-module.ts'
import { join } from 'node:path'
const [folder, symbol] = process.argv.slice(2)
for (const file of extractExamples(folder!)) for (const e of file.examples) if (e.symbol === symbol) { console.log(JSON.stringify(e.lines)); console.log(exampleModule(e, { file: join(repoRoot, e.file), exports: file.valueExports })) }
