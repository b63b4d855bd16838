import { describeExamples } from './run-examples.ts'

describeExamples('fake-provider')
