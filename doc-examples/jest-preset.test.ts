import { describeExamples } from './run-examples.ts'

describeExamples('jest-preset')
