/** The LLM wire APIs a step can be extracted from. */
export type LlmApi = 'openai.chat.completions' | 'openai.responses' | 'anthropic.messages' | 'gemini.generateContent'

/** What the URL alone says about an LLM call. */
export interface LlmApiMatch {
  readonly api: LlmApi
  /** The model named in the URL: Gemini's `models/{model}`, or an Azure OpenAI deployment. */
  readonly urlModel?: string
  /** True when the URL itself asks for a stream (Gemini's `:streamGenerateContent`). */
  readonly urlStream?: boolean
}

const GEMINI_PATH = /\/(?:models|tunedModels)\/([^/:]+):(generateContent|streamGenerateContent)$/u
const AZURE_DEPLOYMENT_PATH = /\/openai\/deployments\/([^/]+)\/chat\/completions$/u

/**
 * Recognises an LLM call by method and URL path. The host is deliberately ignored: tests point
 * SDKs at local fake servers and gateways re-host the same wire formats under other domains.
 *
 * @example
 * detectLlmApi('POST', 'https://api.openai.com/v1/chat/completions')
 * // → { api: 'openai.chat.completions' }
 * detectLlmApi('POST', 'http://127.0.0.1:4010/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
 * // → { api: 'gemini.generateContent', urlModel: 'gemini-2.5-flash', urlStream: true }
 * detectLlmApi('GET', 'https://api.openai.com/v1/models') // → undefined
 */
export function detectLlmApi(method: string, url: string): LlmApiMatch | undefined {
  if (method.toUpperCase() !== 'POST') return undefined
  const path = pathOf(url)
  if (path === undefined) return undefined

  const gemini = GEMINI_PATH.exec(path)
  if (gemini) {
    return { api: 'gemini.generateContent', urlModel: decodeSegment(gemini[1] ?? ''), urlStream: gemini[2] === 'streamGenerateContent' }
  }
  if (path.endsWith('/chat/completions')) {
    const deployment = AZURE_DEPLOYMENT_PATH.exec(path)?.[1]
    return deployment === undefined
      ? { api: 'openai.chat.completions' }
      : { api: 'openai.chat.completions', urlModel: decodeSegment(deployment) }
  }
  if (path.endsWith('/responses')) return { api: 'openai.responses' }
  // `/v1/messages/count_tokens` and `/v1/messages/batches` end differently, so they fall through.
  if (path.endsWith('/v1/messages')) return { api: 'anthropic.messages' }
  return undefined
}

function pathOf(url: string): string | undefined {
  try {
    // The base only matters for relative URLs; the host is never looked at.
    const path = new URL(url, 'http://localhost').pathname
    return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  } catch {
    return undefined
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
