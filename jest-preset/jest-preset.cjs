// The Jest preset: `preset: '@retrace/jest-preset'` in jest.config.
// - interception is installed before the test framework, so SDK clients built in test
//   files are captured;
// - the matchers are registered once `expect` exists;
// - the reporter prints recorded / replayed / equivalent / diverged / obsolete at the end;
// - TypeScript and ES module test files run without further set-up (Jest's own Babel).
const path = require('node:path')
const dist = path.join(__dirname, 'dist', 'cjs')

module.exports = {
  testEnvironment: 'node',
  setupFiles: [path.join(dist, 'interception.js')],
  setupFilesAfterEnv: [path.join(dist, 'setup.js')],
  reporters: ['default', path.join(dist, 'reporter.js')],
  transform: { '^.+\\.[cm]?[jt]sx?$': path.join(dist, 'transform.js') },
  moduleFileExtensions: ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'json'],
  testMatch: ['**/?(*.)+(spec|test).?([cm])[jt]s?(x)'],
}
