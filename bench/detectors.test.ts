import { expect, test } from 'vitest'
import { detectorLines, halfOf, type DetectorsBench } from './detectors.ts'

test('the split is fixed by file number: odd files develop, even files are held out', () => {
  expect(['1.json', '2.json', '57.json', '58.json'].map((file, i) => halfOf(file, i))).toEqual(['dev', 'held-out', 'dev', 'held-out'])
  expect(halfOf('run-a.json', 0)).toBe('dev')
})

test('without the data set the attribution rows are skipped in one line; the precision table stays', () => {
  const bench: DetectorsBench = { whoAndWhen: undefined, precision: [{ kind: 'loop', positives: 3, flagged: 4, correct: 3 }] }
  const lines = detectorLines(bench)
  expect(lines[0]).toMatch(/^Who&When: skipped, the data set is not on this machine/)
  expect(lines).toContain('| loop | 3 | 4 | 3 | 0.75 | 1.00 |')
})
