import type { JsonObject } from '@retrace/cassettes'
import type { WireSpan, WireTraceEnd, WireTraceStart } from '@retrace/protocol'
import { WhoAndWhenFormatError } from '../errors/detector-errors.ts'
import { TRACE_FILE_VERSION, type DetectorTrace } from '../trace/detector-trace.ts'
import { webSurferAction } from './web-surfer-action.ts'
import { WhoAndWhenRunSchema, type WhoAndWhenMessage, type WhoAndWhenRun } from './who-and-when-run.ts'

/** Options of `importWhoAndWhen`. */
export interface ImportWhoAndWhenOptions {
  /** Where the run came from (a file name), for error messages and the trace name. */
  source?: string
}

/** The labels of a Who&When run, mapped onto the trace. */
export interface WhoAndWhenLabels {
  mistakeAgent: string
  /** The index in `history`. */
  mistakeStep: number
  /** The span of that message. */
  mistakeSpanId: string
  mistakeReason: string | undefined
}

/** A converted run: the trace, each message's span id, and the labels when the run has them. */
export interface WhoAndWhenImport {
  trace: DetectorTrace
  /** `messageSpanIds[i]` is the agent span of `history[i]`. */
  messageSpanIds: string[]
  labels: WhoAndWhenLabels | undefined
}

// Magentic-One labels: "Orchestrator (thought)", "Orchestrator (-> WebSurfer)", "Orchestrator (termination condition)".
const LABEL = /^(.+?) \((.+)\)$/
const FINAL_ANSWER = /FINAL ANSWER:[ \t]*(.*)/g
const MESSAGE_MS = 1_000

/**
 * Converts a Who&When run (AG2 or Magentic-One message history) into a trace: one `agent`
 * span per message, in order, tagged with the speaking agent. `Orchestrator (-> WebSurfer)`
 * becomes a message of Orchestrator with `metadata.to = 'WebSurfer'`, and WebSurfer gets
 * `parentId: 'Orchestrator'` (the agent that directs it). A WebSurfer message that opens with
 * an action ("I clicked 'Next'.") also gets a child `tool` span: the action in, the page it
 * then saw (title, URL, viewport) out. The task is the trace input; the `FINAL ANSWER:` the
 * run printed is its output (JSON null for a Magentic-One run that printed none). Clock times
 * are synthetic (one second per message from the Unix epoch) and ids derive from the content,
 * so importing the same run twice gives the same trace. Pure; throws `WhoAndWhenFormatError`
 * naming the field when the input is not a run, or a label points at no message.
 *
 * @example
 * const run = {
 *   question: 'How many moons does Neptune have?',
 *   history: [
 *     { role: 'Orchestrator (-> WebSurfer)', content: 'Please search for the number of moons of Neptune.' },
 *     { role: 'WebSurfer', content: 'Neptune has many moons.' },
 *   ],
 *   mistake_agent: 'WebSurfer',
 *   mistake_step: '1',
 * }
 * const { trace, labels } = importWhoAndWhen(run, { source: '3.json' })
 * trace.spans.length >= 2 // → true
 * labels?.mistakeAgent // → 'WebSurfer'
 * // The span of history[labels.mistakeStep]:
 * whoAndWhenStep(trace, labels!.mistakeSpanId!) // → 1
 */
export function importWhoAndWhen(raw: unknown, options: ImportWhoAndWhenOptions = {}): WhoAndWhenImport {
  const source = options.source ?? 'the run'
  const result = WhoAndWhenRunSchema.safeParse(raw)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const field = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'the file'
    throw new WhoAndWhenFormatError({ source, field, detail: `${field}: ${issue.message}.`, cause: result.error })
  }
  const run = result.data
  const traceId = `who-and-when-${contentHash(run)}`
  const speakers = run.history.map(speakerOf)
  const parents = directingAgents(speakers)
  const magenticOne = run.history.some((message) => LABEL.test(message.role) && message.name === undefined)

  const spans: WireSpan[] = []
  const messageSpanIds: string[] = []
  run.history.forEach((message, index) => {
    const speaker = speakers[index]!
    const id = `${traceId}-${index}`
    messageSpanIds.push(id)
    const parentId = parents.get(speaker.agent)
    const agent = { id: speaker.agent, ...(speaker.role ? { role: speaker.role } : {}), ...(parentId ? { parentId } : {}) }
    const metadata: JsonObject = { whoAndWhen: { index, label: message.role, ...(message.name ? { name: message.name } : {}) } }
    if (speaker.to) metadata.to = speaker.to
    spans.push({ ...timing(index, 0, MESSAGE_MS), id, traceId, kind: 'agent', name: message.role, status: 'ok', agent, output: message.content, metadata })
    const action = speaker.qualifier === undefined ? webSurferAction(message.content) : undefined
    if (action) {
      spans.push({
        ...timing(index, 1, MESSAGE_MS - 2),
        id: `${id}.action`,
        traceId,
        parentId: id,
        kind: 'tool',
        name: action.name,
        status: 'ok',
        agent,
        input: action.args,
        ...(action.state ? { output: action.state } : {}),
      })
    }
  })

  const answers = [...run.history.map((message) => message.content).join('\n').matchAll(FINAL_ANSWER)]
  const answer = answers.at(-1)?.[1]?.trim()
  const labels = labelsOf(run, messageSpanIds, source)
  const start: WireTraceStart = {
    id: traceId,
    name: `who-and-when ${options.source ?? run.question_ID ?? traceId}`,
    startedAt: iso(0),
    input: run.question,
    tags: ['who-and-when'],
    metadata: { whoAndWhen: passthroughFields(run, labels) },
  }
  const end: WireTraceEnd = {
    id: traceId,
    endedAt: iso(run.history.length * MESSAGE_MS),
    status: 'completed',
    ...(answer !== undefined ? { output: answer } : magenticOne ? { output: null } : {}),
    totals: { inputTokens: 0, outputTokens: 0, usd: 0, durationMs: run.history.length * MESSAGE_MS },
  }
  return { trace: { version: TRACE_FILE_VERSION, trace: start, spans, end }, messageSpanIds, labels }
}

/**
 * The Who&When history index of a span of an imported trace (a message span, or a span inside
 * one), or undefined for a span the import did not make.
 *
 * @example
 * const run = {
 *   question: 'How many moons does Neptune have?',
 *   history: [
 *     { role: 'Orchestrator (-> WebSurfer)', content: 'Please search for the number of moons of Neptune.' },
 *     { role: 'WebSurfer', content: 'Neptune has many moons.' },
 *   ],
 *   mistake_agent: 'WebSurfer',
 *   mistake_step: '1',
 * }
 * const { trace } = importWhoAndWhen(run)
 * trace.spans.map((span) => whoAndWhenStep(trace, span.id)).slice(0, 2) // → [0, 1]
 * whoAndWhenStep(trace, 'not-a-span') // → undefined
 */
export function whoAndWhenStep(trace: DetectorTrace, spanId: string): number | undefined {
  const byId = new Map(trace.spans.map((span) => [span.id, span]))
  const seen = new Set<string>()
  for (let span = byId.get(spanId); span && !seen.has(span.id); span = span.parentId ? byId.get(span.parentId) : undefined) {
    seen.add(span.id)
    const info = span.metadata?.whoAndWhen
    if (info && typeof info === 'object' && !Array.isArray(info) && typeof info.index === 'number') return info.index
  }
  return undefined
}

interface Speaker {
  agent: string
  role: string | undefined
  /** `thought`, `-> X`, `termination condition`: the part in brackets of a Magentic-One label. */
  qualifier: string | undefined
  to: string | undefined
}

function speakerOf(message: WhoAndWhenMessage): Speaker {
  // AG2: the agent is `name`, `role` is the chat role.
  if (message.name) return { agent: message.name, role: message.role, qualifier: undefined, to: undefined }
  const label = LABEL.exec(message.role)
  if (!label) return { agent: message.role, role: message.role === 'human' ? 'user' : undefined, qualifier: undefined, to: undefined }
  const qualifier = label[2]!
  const to = /^->\s*(.+)$/.exec(qualifier)?.[1]?.trim()
  return { agent: label[1]!, role: undefined, qualifier, to }
}

/** Each agent that another one addressed (`A (-> B)`) is directed by the first agent that did. */
function directingAgents(speakers: readonly Speaker[]): Map<string, string> {
  const parents = new Map<string, string>()
  for (const speaker of speakers) if (speaker.to && speaker.to !== speaker.agent && !parents.has(speaker.to)) parents.set(speaker.to, speaker.agent)
  return parents
}

function labelsOf(run: WhoAndWhenRun, messageSpanIds: readonly string[], source: string): WhoAndWhenLabels | undefined {
  if (run.mistake_step === undefined && run.mistake_agent === undefined) return undefined
  const step = typeof run.mistake_step === 'number' ? run.mistake_step : Number(run.mistake_step)
  if (!Number.isInteger(step) || step < 0 || step >= messageSpanIds.length) {
    throw new WhoAndWhenFormatError({
      source,
      field: 'mistake_step',
      detail: `mistake_step ${JSON.stringify(run.mistake_step)} is not the index of a message (the history has ${messageSpanIds.length}, 0 to ${messageSpanIds.length - 1}).`,
    })
  }
  if (!run.mistake_agent) throw new WhoAndWhenFormatError({ source, field: 'mistake_agent', detail: 'mistake_step is given without mistake_agent.' })
  return { mistakeAgent: run.mistake_agent, mistakeStep: step, mistakeSpanId: messageSpanIds[step]!, mistakeReason: run.mistake_reason }
}

/** The run's fields other than the history, kept on the trace (labels with the span they point at). */
function passthroughFields(run: WhoAndWhenRun, labels: WhoAndWhenLabels | undefined): JsonObject {
  const { history: _history, question: _question, ...rest } = run
  const kept = JSON.parse(JSON.stringify(rest)) as JsonObject
  if (labels) kept.mistake_span_id = labels.mistakeSpanId
  return kept
}

function timing(index: number, offsetMs: number, durationMs: number): Pick<WireSpan, 'startedAt' | 'endedAt' | 'durationMs'> {
  const start = index * MESSAGE_MS + offsetMs
  return { startedAt: iso(start), endedAt: iso(start + durationMs), durationMs }
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** Two 32-bit FNV-1a hashes of the question and the messages: a stable id without a crypto import. */
function contentHash(run: WhoAndWhenRun): string {
  const text = JSON.stringify([run.question, run.history.map((message) => [message.role, message.name ?? null, message.content])])
  let a = 0x811c9dc5
  let b = 0x01000193 ^ text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x0100019d)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}
