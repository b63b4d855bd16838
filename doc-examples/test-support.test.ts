import { describeExamples } from './run-examples.ts'

describeExamples('test-support')
