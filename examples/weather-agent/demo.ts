// The Retrace demo: record an agent against the local fake provider, stop the provider,
// replay the agent offline, then show what a changed prompt does; then the dashboard: a
// Retrace server with the agent recorded into it, a fork, a sweep, a sensitivity analysis
// and a share link. No key, no internet.
//   npm run demo             stays up, serving the dashboard, until Ctrl-C
//   npm run demo -- --once   exits once everything is printed (scripts, CI)
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import { CassetteMismatchError, startCassette, stepText, stepToolCalls, type Step } from '@retrace/core'
import { startFakeProvider } from '@retrace/fake-provider'
import { runWeatherAgent } from './agent.ts'
import { runDashboardDemo } from './dashboard-demo.ts'

const once = process.argv.includes('--once')
const folder = mkdtempSync(join(tmpdir(), 'retrace-demo-'))
const file = join(folder, 'weather.cassette.json')
const question = 'What is the weather in Paris?'
const say = (line = '') => console.log(line)

const provider = await startFakeProvider()
say(`▶ Local fake provider (OpenAI, Anthropic and Gemini wire protocols) on ${provider.url}`)

// 1. Record: the agent runs live against the provider; every call lands in the cassette.
const recording = startCassette(file, { mode: 'record' })
const client = () => new OpenAI({ apiKey: 'sk-demo-not-a-real-key', baseURL: provider.openaiBaseURL, maxRetries: 0 })
const recordedAnswer = await runWeatherAgent(question, client())
const steps = recording.steps()
await recording.stop()
say(`▶ Recorded ${steps.length} LLM calls (${provider.requestCount} requests reached the provider):`)
steps.forEach((step, index) => say(`   step ${index + 1}  ${describe(step)}`))
say(`   answer: ${recordedAnswer}`)
say(`   cassette: ${file} (${readFileSync(file, 'utf8').split('\n').length} lines, API key redacted)`)

// 2. Replay with the provider stopped: the agent gets the same answers from the cassette.
await provider.stop()
say('▶ Provider stopped. Replaying…')
const replay = startCassette(file, { mode: 'replay' })
const replayedAnswer = await runWeatherAgent(question, client())
const summary = await replay.stop()
say(`   answer: ${replayedAnswer}`)
say(`   ${summary.replayed} calls served from the cassette, ${provider.requestCount - steps.length} new requests to the provider`)
say(replayedAnswer === recordedAnswer ? '✔ identical to the recorded run' : '✘ the answers differ')

// 3. A changed prompt is refused, with the closest recorded step and a diff: the refusal is
// the success here, so the demo says so last (and fails if the request got through).
say('▶ Replaying with a different question (Rome instead of Paris): replay must refuse it…')
const strict = startCassette(file, { mode: 'replay' })
try {
  await runWeatherAgent('What is the weather in Rome?', client())
  say('✘ The changed question was answered: replay should have refused it.')
  process.exitCode = 1
} catch (error) {
  if (!(error instanceof CassetteMismatchError)) throw error
  say(error.message.split('\n').map((line) => `   │ ${line}`.trimEnd()).join('\n'))
  say('✔ Refused, as expected: replay never sends a request the cassette does not hold; the diff above is what changed.')
} finally {
  await strict.stop()
}

// 4. The dashboard: the same agent recorded into a Retrace server, forked, swept, shared.
const demo = await runDashboardDemo({ folder, cassetteFile: file, say })
if (once) {
  await demo.close()
} else {
  say('Open the dashboard in a browser. Ctrl-C stops the server.')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await demo.close()
}

function describe(step: Step): string {
  const calls = stepToolCalls(step).map((call) => `${call.name}(${JSON.stringify(call.arguments)})`)
  const output = calls.length ? `tool call ${calls.join(', ')}` : JSON.stringify(stepText(step))
  const usage = step.usage ? `${step.usage.inputTokens} in / ${step.usage.outputTokens} out tokens` : 'no usage'
  return `${step.provider} ${step.model} → ${output}  (${usage}, $${(step.costUsd ?? 0).toFixed(6)})`
}
