import { GoogleGenAI, Type, type Content, type FunctionCall, type FunctionDeclaration } from '@google/genai'

const calendar: Record<string, { events: { time: string; title: string }[]; free: string[] }> = {
  Monday: { events: [{ time: '09:30', title: 'Stand-up' }], free: ['10:00-12:00', '14:00-17:00'] },
  Friday: { events: [{ time: '09:30', title: 'Stand-up' }, { time: '13:00', title: 'Design review' }], free: ['11:00-12:30', '15:00-16:00'] },
}

/**
 * The tools' implementation; a real agent would read a calendar API here.
 *
 * @example
 * runTool({ name: 'free_slots', args: { day: 'Friday' } }) // { day: 'Friday', free: ['11:00-12:30', '15:00-16:00'] }
 */
export function runTool({ name, args }: FunctionCall): Record<string, unknown> {
  const day = String(args?.day)
  const entry = calendar[day] ?? { events: [], free: ['09:00-17:00'] }
  if (name === 'list_events') return { day, events: entry.events }
  if (name === 'free_slots') return { day, free: entry.free }
  return { error: `Unknown tool: ${name}` }
}

const byDay = { type: Type.OBJECT, properties: { day: { type: Type.STRING, description: 'Day of the week, e.g. Friday' } }, required: ['day'] }
const functionDeclarations: FunctionDeclaration[] = [
  { name: 'list_events', description: 'Meetings on the calendar for a day', parameters: byDay },
  { name: 'free_slots', description: 'Free time ranges on the calendar for a day', parameters: byDay },
]

// GEMINI_BASE_URL is this example's own variable: unset, the SDK uses Google's endpoint.
const defaultClient = () => new GoogleGenAI({ httpOptions: { baseUrl: process.env.GEMINI_BASE_URL } })

/**
 * A Gemini function-calling loop: ask, run the functions Gemini calls, answer with their
 * responses, until Gemini replies in text. The default client reads `GEMINI_API_KEY`, and
 * `GEMINI_BASE_URL` when set (the SDK's default endpoint otherwise).
 *
 * @example
 * const answer = await runCalendarAgent('Please list events and find free slots on Friday')
 */
export async function runCalendarAgent(question: string, ai = defaultClient()): Promise<string> {
  const contents: Content[] = [{ role: 'user', parts: [{ text: question }] }]
  for (let turn = 0; turn < 5; turn++) {
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents,
      config: { systemInstruction: 'You manage my calendar. Check it with the tools before answering.', tools: [{ functionDeclarations }] },
    })
    const calls = response.functionCalls ?? []
    const content = response.candidates?.[0]?.content
    if (calls.length === 0 || !content) return response.text ?? ''
    contents.push(content)
    contents.push({ role: 'user', parts: calls.map((call) => ({ functionResponse: { id: call.id, name: call.name, response: runTool(call) } })) })
  }
  throw new Error('The agent did not answer within 5 turns.')
}
