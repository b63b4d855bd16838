import { describeExamples } from './run-examples.ts'

describeExamples('vitest-plugin')
