// A server under benchmark, in its own process (its own core, its own RSS and CPU figures):
//   node --conditions=@retrace/source bench/server-child.ts retrace <databaseUrl>
//   node --conditions=@retrace/source bench/server-child.ts memory
// Talks to the benchmark over IPC: `ready` with its URL and key; answers `stats` with its
// RSS and CPU time; stops on `stop`.
import { createLogger, startServer } from '@retrace/server'
import { startRetraceTestServer } from '../test-support/retrace-test-server.ts'

const [kind, databaseUrl] = process.argv.slice(2)
let stop: () => Promise<void>
let url: string
let key: string
if (kind === 'memory') {
  const server = await startRetraceTestServer({ validate: true })
  url = server.url
  key = 'rt_bench'
  stop = () => server.stop()
} else {
  const server = await startServer({ port: 0, databaseUrl, rateLimit: 0, logger: createLogger({ level: 'warn' }) })
  url = server.url
  key = server.firstStart!.apiKey
  stop = () => server.close()
}
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    process.send!({ type: 'stats', rss: process.memoryUsage().rss, cpu: process.cpuUsage(), at: performance.now() })
  }
  if (message.type === 'stop') void stop().then(() => process.exit(0))
})
process.send!({ type: 'ready', url, key })
