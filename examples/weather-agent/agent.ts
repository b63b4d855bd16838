import OpenAI from 'openai'

/**
 * The tool the agent may call; a real agent would hit a weather API here.
 *
 * @example
 * getWeather('Paris') // { city: 'Paris', temperatureC: 18, sky: 'sunny' }
 */
export function getWeather(city: string): { city: string; temperatureC: number; sky: string } {
  const table: Record<string, { temperatureC: number; sky: string }> = {
    Paris: { temperatureC: 18, sky: 'sunny' },
    Rome: { temperatureC: 24, sky: 'clear' },
    Oslo: { temperatureC: 7, sky: 'rain' },
  }
  return { city, ...(table[city] ?? { temperatureC: 15, sky: 'cloudy' }) }
}

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
]

/**
 * A minimal tool-calling agent loop: ask the model, run the tools it calls, feed the results
 * back, until it answers in text. The default client reads `OPENAI_API_KEY` and
 * `OPENAI_BASE_URL`.
 *
 * @example
 * const answer = await runWeatherAgent('What is the weather in Paris?')
 */
export async function runWeatherAgent(question: string, openai = new OpenAI()): Promise<string> {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You answer weather questions. Use get_weather.' },
    { role: 'user', content: question },
  ]
  for (let turn = 0; turn < 5; turn++) {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools })
    const message = completion.choices[0]!.message
    messages.push(message)
    if (!message.tool_calls?.length) return message.content ?? ''
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue
      const { city } = JSON.parse(call.function.arguments) as { city: string }
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(getWeather(city)) })
    }
  }
  throw new Error('The agent did not answer within 5 turns.')
}
