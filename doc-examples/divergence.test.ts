import { describeExamples } from './run-examples.ts'

describeExamples('divergence')
