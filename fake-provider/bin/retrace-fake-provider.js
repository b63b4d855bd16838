#!/usr/bin/env node
// The `retrace-fake-provider` command. A committed file rather than a build output: npm links
// a package's bins before it builds it, and skips a bin whose file does not exist yet.
const entry = new URL('../dist/cli.js', import.meta.url)
try {
  await import(entry.href)
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(entry.pathname)) {
    process.stderr.write('retrace-fake-provider: @retrace/fake-provider is not built yet: run `npm run build` at the repository root.\n')
    process.exit(2)
  }
  throw error
}
