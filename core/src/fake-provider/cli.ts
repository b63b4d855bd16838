#!/usr/bin/env node
/**
 * Runs the fake provider from a shell:
 *   node core/src/fake-provider/cli.ts --port 4010 [--host 127.0.0.1] [--gzip] [--event-delay-ms 50] [--no-auth]
 * It prints the base URLs and stops on SIGINT / SIGTERM.
 */

import { parseArgs } from 'node:util'

import { startFakeProvider } from './server.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    gzip: { type: 'boolean', default: false },
    'event-delay-ms': { type: 'string', default: '0' },
    'no-auth': { type: 'boolean', default: false },
  },
})

const provider = await startFakeProvider({
  port: Number(values.port),
  host: values.host,
  gzip: values.gzip,
  eventDelayMs: Number(values['event-delay-ms']),
  requireAuth: !values['no-auth'],
})

console.log(`Fake LLM provider listening on ${provider.url}`)
console.log(`  OpenAI     baseURL: ${provider.openaiBaseURL}`)
console.log(`  Anthropic  baseURL: ${provider.anthropicBaseURL}`)
console.log(`  Gemini     baseUrl: ${provider.geminiBaseURL}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void provider.stop().then(() => process.exit(0))
  })
}
