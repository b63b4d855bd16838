import { defineConfig } from 'vitest/config'
import { retrace } from '@retrace/vitest'

export default defineConfig({
  plugins: [retrace()],
  // Records against the bundled fake provider with -u; otherwise replays, offline.
  test: { globalSetup: ['../fake-provider-setup.ts'] },
})
