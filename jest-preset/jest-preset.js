// Jest looks for `jest-preset.js` at the package root; this package is ESM ("type": "module"),
// so the preset itself lives in jest-preset.cjs.
export { default } from './jest-preset.cjs'
