import OpenAI from 'openai'
import { record, tool, type RecordedFunction } from '@retrace/core'
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '@retrace/fake-provider'

/** The fake provider, with what the fork tests measure at it: calls in flight, at most, and per marker text. */
export interface CountingProvider {
  provider: FakeProvider
  /** Calls being answered now. */
  readonly inFlight: number
  /** Most calls answered at once since the last `resetPeak()`. */
  readonly peak: number
  resetPeak(): void
  /** Calls whose request body contained `text`. */
  callsWith(text: string): number
  stop(): Promise<void>
}

/**
 * Starts the fake provider with a latency per call (default 0) and counters.
 *
 * @example
 * const counting = await startCountingProvider({ latencyMs: 50 })
 */
export async function startCountingProvider(options: { latencyMs?: number; respond?: FakeProviderOptions['respond'] } = {}): Promise<CountingProvider> {
  let inFlight = 0
  let peak = 0
  const provider = await startFakeProvider({
    async respond(request) {
      inFlight++
      peak = Math.max(peak, inFlight)
      try {
        if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs))
        return await options.respond?.(request)
      } finally {
        inFlight--
      }
    },
  })
  return {
    provider,
    get inFlight() {
      return inFlight
    },
    get peak() {
      return peak
    },
    resetPeak: () => void (peak = inFlight),
    callsWith: (text) => provider.requests.filter((request) => JSON.stringify(request.body).includes(text)).length,
    stop: () => provider.stop(),
  }
}

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
]

/** How often the agent's tools really ran. */
export interface ToolRuns {
  get_weather: number
  get_time: number
}

/**
 * A recorded, resumable 4-step tool-using agent: asks the weather (step 1: the model calls
 * get_weather; step 2: it answers), then the time (step 3: get_time; step 4: the answer).
 * `question` is the weather question; its last capitalised word is the city.
 *
 * @example
 * const agent = fourStepAgent('weather-agent', provider.provider, runs)
 * await agent('What is the weather in Paris?')
 */
export function fourStepAgent(name: string, provider: FakeProvider, runs: ToolRuns): RecordedFunction<[string], Promise<string>> {
  const getWeather = tool('get_weather', async ({ city }: { city: string }) => {
    runs.get_weather++
    return { city, sky: 'sunny', temperatureC: 18 }
  })
  const getTime = tool('get_time', async ({ city }: { city: string }) => {
    runs.get_time++
    return { city, time: '14:05' }
  })
  return record({ name, resumable: true }, async (question: string) => {
    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, maxRetries: 0 })
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: question }]
    const answers: string[] = []
    for (const ask of [question, `And what time is it there? Use get_time for ${question.split(' ').at(-1)!.replace(/\W/g, '')}`]) {
      if (ask !== question) messages.push({ role: 'user', content: ask })
      for (let turn = 0; turn < 3; turn++) {
        const message = (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: TOOLS })).choices[0]!.message
        messages.push(message)
        if (!message.tool_calls?.length) {
          answers.push(message.content ?? '')
          break
        }
        for (const call of message.tool_calls) {
          if (call.type !== 'function') continue
          const args = JSON.parse(call.function.arguments) as { city: string }
          const result = call.function.name === 'get_time' ? await getTime(args) : await getWeather(args)
          messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) })
        }
      }
    }
    return answers.join(' | ')
  })
}

/** Fork statuses a fork does not leave on its own. */
export const FINAL = ['completed', 'failed', 'no_worker', 'cancelled']

/**
 * Polls `GET path` until `done(body)` or the timeout (then throws with the last body).
 *
 * @example
 * const fork = await pollUntil(() => t.call(`/api/v1/forks/${id}`), (body) => FINAL.includes(body.status))
 */
export async function pollUntil<T>(get: () => Promise<{ body: T }>, done: (body: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  for (;;) {
    last = (await get()).body
    if (done(last)) return last
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms; last answer: ${JSON.stringify(last).slice(0, 1000)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
