import { normalizeUrlForMatching } from '@retrace/cassettes'
import type { Terminal } from '../output/terminal.ts'
import type { Timeline, TimelineRequest, TimelineStep, TimelineTotals } from './build-timeline.ts'
import { clip, formatCount, formatMs, formatUsd, hangingIndent, oneLine } from './format.ts'

/** How to render a timeline. */
export interface RenderTimelineOptions {
  /** Colours, from `terminal.style`; plain when left out. */
  style?: Terminal['style']
  /**
   * Output for `git diff` (the textconv driver): plain, nothing cut short, and nothing that
   * changes between two recordings of the same run (latencies, local ports).
   */
  textconv?: boolean
  /** Show texts and arguments in full instead of trimming them for a terminal. */
  full?: boolean
  /** Show latencies and durations (default true; never in textconv output). */
  timings?: boolean
  /** A first line naming the file. */
  title?: string
}

const PLAIN: Terminal['style'] = (_format, text) => text
// Terminal limits: enough to recognise a message, short enough to scan a long run.
const LIMITS = { input: 300, output: 600, json: 240 }

/**
 * Renders a timeline as text: one block per LLM step (provider and model, the new messages,
 * tools offered, tool calls with arguments, output text, finish reason, tokens, cost,
 * latency), one line per other request, then the run's result and the totals.
 *
 * @example
 * import { buildTimeline } from './build-timeline.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * const text = renderTimeline(buildTimeline(cassette), { title: 'weather.cassette.json' })
 * text.split('\n')[0] // → 'weather.cassette.json'
 * text.includes('Sunny, 18 °C.') // → true
 */
export function renderTimeline(timeline: Timeline, options: RenderTimelineOptions = {}): string {
  const style = options.textconv ? PLAIN : (options.style ?? PLAIN)
  const limit = (max: number) => (options.textconv || options.full ? undefined : max)
  const timings = options.timings !== false && options.textconv !== true
  const lines: string[] = []
  if (options.title) lines.push(style('bold', options.title))
  const about: string[] = []
  if (timeline.run?.test) about.push(`recorded by ${timeline.run.test.file} › ${timeline.run.test.name}`)
  if (timeline.recorder) about.push(timeline.recorder)
  if (about.length) lines.push(style('dim', about.join(' · ')))
  if (lines.length) lines.push('')
  if (timeline.entries.length === 0) lines.push('(no interactions)', '')

  for (const entry of timeline.entries) {
    if (entry.kind === 'request') lines.push(requestLine(entry, style, options.textconv === true, timings), '')
    else lines.push(...stepLines(entry, style, options.textconv === true, timings, limit), '')
  }

  if (timeline.run?.error) lines.push(`${style('bold', 'Error')}   ${timeline.run.error.name}: ${timeline.run.error.message}`)
  else if (timeline.run && 'result' in timeline.run) {
    const result = timeline.run.result
    // A string result reads as text; anything else as JSON, one key per line for `git diff`.
    const text = typeof result === 'string' ? result : (JSON.stringify(result, null, options.textconv ? 2 : undefined) ?? 'undefined')
    lines.push(`${style('bold', 'Result')}  ${hangingIndent(clip(text, limit(LIMITS.output)), '        ')}`)
  }
  lines.push(`${style('bold', 'Totals')}  ${totalsLine(timeline.totals, !timings)}`)
  return `${lines.join('\n')}\n`
}

function stepLines(step: TimelineStep, style: Terminal['style'], textconv: boolean, timings: boolean, limit: (max: number) => number | undefined): string[] {
  const head = [`Step ${step.step}`, `${step.provider}${step.model ? ` ${step.model}` : ''}`]
  const flags = [step.api, step.streamed ? 'streamed' : '', step.complete ? '' : 'INCOMPLETE'].filter(Boolean)
  if (flags.length) head.push(flags.join(', '))
  if (timings && step.latencyMs !== undefined) head.push(formatMs(step.latencyMs))
  const lines = [`${style('dim', `#${step.interaction + 1}`)} ${style('bold', head.join(' · '))}`]
  const at = '     '

  if (step.earlierMessages > 0) lines.push(style('dim', `${at}… ${step.earlierMessages} earlier message(s)`))
  for (const message of step.input) {
    lines.push(`${at}${style('cyan', `> ${message.role}:`)} ${hangingIndent(clip(message.text, limit(LIMITS.input)), `${at}  `)}`)
  }
  if (step.tools.length && step.toolsChanged) {
    if (textconv) {
      for (const tool of step.tools) {
        lines.push(`${at}  tool ${tool.name}${tool.description ? `: ${tool.description}` : ''}${tool.parameters === undefined ? '' : ` ${JSON.stringify(tool.parameters)}`}`)
      }
    } else lines.push(`${at}${style('dim', `tools: ${step.tools.map((tool) => tool.name).join(', ')}`)}`)
  }
  if (step.parameters) lines.push(`${at}${style('dim', `parameters: ${JSON.stringify(step.parameters)}`)}`)

  if (step.reasoning) lines.push(`${at}${style('dim', `< reasoning: ${hangingIndent(clip(step.reasoning, limit(LIMITS.input)), `${at}  `)}`)}`)
  for (const call of step.toolCalls) lines.push(`${at}${style('yellow', `< call ${call.name}`)} ${clip(oneLine(call.arguments), limit(LIMITS.json))}`)
  if (step.text) lines.push(`${at}${style('green', '< text:')} ${hangingIndent(clip(step.text, limit(LIMITS.output)), `${at}  `)}`)
  if (step.refusal) lines.push(`${at}${style('red', '< refusal:')} ${hangingIndent(clip(step.refusal, limit(LIMITS.output)), `${at}  `)}`)

  const facts: string[] = []
  if (step.status !== undefined) facts.push(style('red', `HTTP ${step.status}`))
  facts.push(`finish ${step.finishReason ?? '—'}`)
  if (step.inputTokens !== undefined) facts.push(`${formatCount(step.inputTokens)} in / ${formatCount(step.outputTokens ?? 0)} out tokens`)
  if (step.costUsd !== undefined) facts.push(`${formatUsd(step.costUsd)}${step.pricing === 'unknown-model' ? ' (unknown model, conservative price)' : ''}`)
  lines.push(`${at}${style('dim', facts.join(' · '))}`)
  return lines
}

function requestLine(request: TimelineRequest, style: Terminal['style'], textconv: boolean, timings: boolean): string {
  // A local server gets a new port on every run; in a diff that is churn, not a change.
  const url = textconv ? normalizeUrlForMatching(request.url) : request.url
  const outcome = request.error !== undefined ? style('red', `✗ ${request.error}`) : request.status !== undefined ? String(request.status) : 'no response'
  const timing = timings && request.latencyMs !== undefined ? ` · ${formatMs(request.durationMs ?? request.latencyMs)}` : ''
  return `${style('dim', `#${request.interaction + 1}`)} ${request.method} ${url} → ${outcome}${timing}`
}

/**
 * The totals on one line.
 *
 * @example
 * import { buildTimeline } from './build-timeline.ts'
 * const chat = (question: string, answer: string) => ({
 *   request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] } } },
 *   response: { status: 200, headers: { 'content-type': 'application/json' }, body: { json: { id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } } } },
 * })
 * const cassette = { version: 1 as const, interactions: [chat('Weather in Paris?', 'Sunny, 18 °C.')] }
 * totalsLine(buildTimeline(cassette).totals, false) // → '1 step(s) · 12 tokens (9 in / 3 out) · $0.000003 · 0 ms in calls'
 */
export function totalsLine(totals: TimelineTotals, withoutTimings: boolean): string {
  const parts = [`${totals.steps} step(s)`]
  if (totals.requests) parts.push(`${totals.requests} other request(s)`)
  parts.push(`${formatCount(totals.tokens)} tokens (${formatCount(totals.inputTokens)} in / ${formatCount(totals.outputTokens)} out)`)
  parts.push(`${formatUsd(totals.costUsd)}${totals.unknownModelSteps ? ` (${totals.unknownModelSteps} step(s) at the unknown-model price)` : ''}`)
  if (!withoutTimings) parts.push(`${formatMs(totals.durationMs)} in calls`)
  return parts.join(' · ')
}
