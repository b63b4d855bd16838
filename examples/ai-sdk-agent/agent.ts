import { openai } from '@ai-sdk/openai'
import { generateText, isStepCount, tool } from 'ai'
import { z } from 'zod'

const rates: Record<string, number> = { EUR: 0.92, GBP: 0.79, JPY: 151.2 }

/**
 * The tool's implementation; a real agent would call an exchange-rate API here.
 *
 * @example
 * convert(120, 'EUR') // { amountUsd: 120, currency: 'EUR', rate: 0.92, converted: 110.4 }
 */
export function convert(amountUsd: number, currency: string) {
  const rate = rates[currency]
  if (rate === undefined) return { error: `No rate for ${currency}` }
  return { amountUsd, currency, rate, converted: Math.round(amountUsd * rate * 100) / 100 }
}

const convertCurrency = tool({
  description: 'Convert an amount of US dollars into another currency at today’s rate',
  inputSchema: z.object({
    amount: z.number().describe('Amount in US dollars'),
    currency: z.string().describe('ISO code of the target currency, e.g. EUR'),
  }),
  execute: async ({ amount, currency }) => convert(amount, currency),
})

/**
 * A multi-step `generateText` agent: the AI SDK runs the tool calls and feeds the results
 * back on its own, for at most five steps. The default `openai` provider reads
 * `OPENAI_API_KEY` and `OPENAI_BASE_URL`, and speaks the Responses API.
 *
 * @example
 * const answer = await runTravelBudgetAgent('How much is 120 USD in EUR?')
 */
export async function runTravelBudgetAgent(question: string): Promise<string> {
  const { text } = await generateText({
    model: openai('gpt-4.1-mini'),
    instructions: 'You help travellers budget. Convert amounts with convert_currency; never guess a rate.',
    prompt: question,
    tools: { convert_currency: convertCurrency },
    stopWhen: isStepCount(5),
  })
  return text
}
