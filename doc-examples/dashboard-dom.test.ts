// @vitest-environment happy-dom
import { describeExamples } from './run-examples.ts'

// The dashboard's examples that need a page (DOM_FILES in packages.ts); the others run in
// Node, in dashboard.test.ts.
describeExamples('dashboard', { environment: 'happy-dom' })
