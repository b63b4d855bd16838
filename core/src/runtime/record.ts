import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { JsonValue } from '@retrace/cassettes'
import { currentSession, runInSession } from '../capture/session-routing.ts'
import { CassetteSession } from '../session/cassette-session.ts'
import { currentFork } from './resume/fork-scope.ts'
import { isSampled } from './sampling.ts'
import { runtime } from './runtime.ts'
import { ActiveTrace } from './trace/active-trace.ts'
import { currentScope, runInScope } from './trace/trace-scope.ts'

/** Options of `record()`. */
export interface RecordOptions {
  /** The run's name (a function name, an agent name); defaults to the function's name. */
  name?: string
  /** Register the function so the server can re-run it from a fork point (see `resume`). */
  resumable?: boolean
  /** Groups the runs of one multi-turn conversation. */
  sessionId?: string
  tags?: string[]
  metadata?: Record<string, JsonValue>
  /**
   * Where the function is exported from, for `writeGoldenCassette` and `retrace ci replay`:
   * by default the module that called `record()` and the run's name.
   */
  entry?: { module: string; export: string }
}

/** A finished (or running) recorded run, as the API returns it. */
export type RecordedTrace = Pick<ActiveTrace, 'id' | 'name' | 'status' | 'result' | 'error' | 'spans' | 'interactions' | 'totals' | 'options' | 'lossy' | 'truncated'>

/** A function wrapped by `record()`: the same function, plus its latest trace. */
export type RecordedFunction<Args extends unknown[], Result> = ((...args: Args) => Result) & {
  /** The trace of the latest call, once it finished. */
  readonly lastTrace: RecordedTrace | undefined
}

let latest: RecordedTrace | undefined

/**
 * The trace of the most recent recorded run that finished in this process.
 *
 * @example
 * const bookFlight = record({ name: 'book' }, async (to: string) => `booked to ${to}`)
 * await bookFlight('Paris')
 * lastTrace()?.name // → 'book'
 * lastTrace()?.result // → 'booked to Paris'
 */
export function lastTrace(): RecordedTrace | undefined {
  return latest
}

/**
 * The trace of the run the calling code is part of, if any.
 *
 * @example
 * const runAgent = record({ name: 'traced' }, () => currentTrace()?.name)
 * runAgent() // → 'traced'
 * currentTrace() // → undefined
 */
export function currentTrace(): RecordedTrace | undefined {
  return currentScope()?.trace
}

/**
 * Records every call of `fn` as a trace: input, output or error, and a span tree of the LLM
 * calls it makes (captured in-process, with provider-neutral steps), the tools it runs, the
 * spans and agents it declares. Works for sync and async functions; concurrent calls never
 * mix. Run ceilings are enforced before each LLM call. As `@record(options)` it decorates a
 * class method.
 *
 * @example
 * import OpenAI from 'openai'
 * import { startFakeProvider } from '@retrace/fake-provider'
 * const provider = await startFakeProvider() // stands in for api.openai.com
 * const runAgent = record({ name: 'runAgent', sessionId: 'chat-42' }, async (question: string) => {
 *   const answer = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] })
 *   return answer.choices[0]?.message.content
 * })
 * const openai = new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL })
 * await runAgent('Weather in Paris?') // → 'You said: Weather in Paris?'
 * const trace = runAgent.lastTrace!
 * trace.status // → 'completed'
 * trace.spans.map((span) => span.kind) // → ['llm']
 * trace.totals.steps // → 1
 * await provider.stop()
 */
export function record<Args extends unknown[], Result>(options: RecordOptions, fn: (...args: Args) => Result): RecordedFunction<Args, Result>
export function record(options?: RecordOptions): RecordDecorator
export function record<Args extends unknown[], Result>(options: RecordOptions = {}, fn?: (...args: Args) => Result): RecordedFunction<Args, Result> | RecordDecorator {
  const caller = callerModule()
  if (typeof fn === 'function') return wrapRecorded(options, fn, caller)
  const decorator = (target: unknown, context: unknown, descriptor?: PropertyDescriptor): unknown => {
    // Legacy (experimentalDecorators): (prototype, key, descriptor).
    if (descriptor && typeof descriptor.value === 'function') {
      const name = options.name ?? String(context)
      descriptor.value = wrapRecorded({ ...options, name }, descriptor.value as (...args: unknown[]) => unknown, caller)
      return descriptor
    }
    // Standard decorators: (method, { name, kind: 'method' }).
    const name = options.name ?? String((context as { name?: unknown } | undefined)?.name ?? 'anonymous')
    return wrapRecorded({ ...options, name }, target as (...args: unknown[]) => unknown, caller)
  }
  return decorator as RecordDecorator
}

/** `@record(options)` on a class method (standard or legacy decorators). */
export type RecordDecorator = {
  <This, Args extends unknown[], Result>(method: (this: This, ...args: Args) => Result, context: ClassMethodDecoratorContext<This>): (this: This, ...args: Args) => Result
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor
}

function wrapRecorded<Args extends unknown[], Result>(options: RecordOptions, fn: (...args: Args) => Result, caller: string | undefined): RecordedFunction<Args, Result> {
  const name = options.name ?? (fn.name || 'anonymous')
  const entry = options.entry ?? (caller ? { module: caller, export: name } : undefined)
  let last: RecordedTrace | undefined
  const wrapped = function (this: unknown, ...args: Args): Result {
    const rt = runtime()
    const config = rt.config
    if (!config.enabled) return fn.apply(this, args)
    rt.ensureHooks()
    const fork = currentFork()
    const id = randomUUID()
    const trace = new ActiveTrace(
      {
        id,
        name,
        input: args,
        // Forks are always sent: they were asked for. Otherwise the draw is fixed by the trace id.
        sampled: fork !== undefined || isSampled(id, config.sampleRate, config.sampleSeed),
        maxPayloadChars: config.maxPayloadChars,
        content: rt.contentPolicy(),
        ...(config.projectId ? { projectId: config.projectId } : {}),
        ...(options.sessionId ? { sessionId: options.sessionId } : {}),
        ...(options.tags ? { tags: options.tags } : {}),
        ...(options.metadata ? { metadata: options.metadata } : {}),
        ...(options.resumable ? { resumable: true } : {}),
        ...(entry ? { entry } : {}),
        ...(fork ? { fork: { forkOf: fork.forkOf, forkPointStep: fork.forkPointStep, forkId: fork.forkId } } : {}),
      },
      (event) => rt.emit(event),
    )
    rt.started(trace)
    const scope = { trace, spanId: undefined, agent: currentScope()?.agent }
    // Inside a test cassette, its session already captures every call; elsewhere the run gets
    // an in-memory session of its own (live calls, recorded for its spans, never written).
    const observer = currentSession() ? undefined : new CassetteSession('', 'observe', {}, undefined)
    const finish = (outcome: { result: unknown } | { error: unknown }) => {
      rt.ended(trace)
      trace.finish(outcome, { lossy: rt.transport()?.isLossy?.(trace.id) ?? false })
      last = trace
      latest = trace
      if (observer) void observer.stop().catch(() => {})
    }
    let result: Result
    try {
      const run = () => runInScope(scope, () => fn.apply(this, args))
      result = observer ? runInSession(observer, run) : run()
    } catch (error) {
      finish({ error })
      throw error
    }
    if (isPromiseLike(result)) {
      return result.then(
        (value) => {
          finish({ result: value })
          return value
        },
        (error: unknown) => {
          finish({ error })
          throw error
        },
      ) as Result
    }
    finish({ result })
    return result
  }
  Object.defineProperty(wrapped, 'lastTrace', { get: () => last })
  Object.defineProperty(wrapped, 'name', { value: name })
  if (options.resumable) runtime().registerResumable(name, wrapped as (...args: unknown[]) => unknown)
  return wrapped as RecordedFunction<Args, Result>
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/** The file of the first stack frame outside @retrace/core: the module that called record(). */
function callerModule(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(1) ?? []
  for (const line of stack) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/.exec(line)
    if (!match) continue
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!
    if (/[\\/](core[\\/](src|dist)|@retrace[\\/]core)[\\/]/.test(file)) continue
    return file
  }
  return undefined
}
