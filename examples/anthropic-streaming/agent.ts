import Anthropic from '@anthropic-ai/sdk'

/**
 * The tools' implementation; a real agent would call a market-data API here.
 *
 * @example
 * runTool('stock_price', { ticker: 'ACME' }) // { ticker: 'ACME', priceUsd: 182.4, changePercent: 1.3 }
 */
export function runTool(name: string, { ticker }: { ticker: string }): Record<string, unknown> {
  if (name === 'stock_price') return { ticker, priceUsd: 182.4, changePercent: 1.3 }
  if (name === 'company_news') return { ticker, headlines: [`${ticker} beats quarterly estimates`, `${ticker} opens a plant in Lyon`] }
  return { error: `Unknown tool: ${name}` }
}

const byTicker: Anthropic.Tool.InputSchema = {
  type: 'object',
  properties: { ticker: { type: 'string', description: 'Ticker symbol, e.g. ACME' } },
  required: ['ticker'],
}
const tools: Anthropic.Tool[] = [
  { name: 'stock_price', description: 'Latest trading price of a stock, in USD, and its change today', input_schema: byTicker },
  { name: 'company_news', description: "Today's headlines about a listed company", input_schema: byTicker },
]

export interface ResearchOptions {
  /** Receives the answer as it streams in, delta by delta. */
  onText?: (delta: string) => void
  /** Defaults to a client that reads `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`. */
  client?: Anthropic
}

/**
 * A streaming tool-use loop: stream each turn (text goes to `onText` as it arrives), run the
 * tools Claude asks for, send their results back, until Claude answers without a tool.
 *
 * @example
 * const answer = await runResearchAgent('What are the stock price and the company news for ACME?', {
 *   onText: (delta) => process.stdout.write(delta),
 * })
 */
export async function runResearchAgent(question: string, { onText, client = new Anthropic() }: ResearchOptions = {}): Promise<string> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: question }]
  for (let turn = 0; turn < 5; turn++) {
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 1024,
      system: 'You are a concise equity research assistant. Use the tools; never guess a price.',
      tools,
      messages,
    })
    if (onText) stream.on('text', onText)
    const message = await stream.finalMessage()
    messages.push({ role: 'assistant', content: message.content })
    if (message.stop_reason !== 'tool_use') {
      return message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('')
    }
    const results = message.content.flatMap((block): Anthropic.ToolResultBlockParam[] =>
      block.type === 'tool_use'
        ? [{ type: 'tool_result', tool_use_id: block.id, content: JSON.stringify(runTool(block.name, block.input as { ticker: string })) }]
        : [],
    )
    messages.push({ role: 'user', content: results })
  }
  throw new Error('The agent did not answer within 5 turns.')
}
