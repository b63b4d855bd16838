// Source of the agent the runner fixtures test: an OpenAI tool loop (parallel tool calls
// included) pointed at the fake provider through FAKE_OPENAI_URL.
export const FIXTURE_AGENT = `import OpenAI from 'openai'

const tools = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
]

function runTool(name, args) {
  return name === 'get_weather' ? { city: args.city, sky: 'sunny', temperatureC: 18 } : { city: args.city, time: '14:05' }
}

export async function runAgent(question, options = {}) {
  const openai = new OpenAI({ apiKey: 'sk-fixture', baseURL: process.env.FAKE_OPENAI_URL, maxRetries: 0 })
  const messages = [{ role: 'user', content: question }]
  for (let turn = 0; turn < 4; turn++) {
    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, ...(options.tools === false ? {} : { tools }) })
    const message = completion.choices[0].message
    messages.push(message)
    if (!message.tool_calls || message.tool_calls.length === 0) return message.content
    for (const call of message.tool_calls) {
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(runTool(call.function.name, JSON.parse(call.function.arguments))) })
    }
  }
  throw new Error('no answer')
}
`
