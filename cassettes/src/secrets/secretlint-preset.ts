// secretlint's rule preset, imported as the ES module it is. The CommonJS build maps
// `#secretlint-preset` to `secretlint-preset-cjs.ts` instead (package.json `imports`).
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend'

/** secretlint's recommended rule creators (see `secretlint-rules.ts` for their use). */
export const rules: readonly unknown[] = presetRules
