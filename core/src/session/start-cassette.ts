import { resolve } from 'node:path'
import {
  CassetteMismatchError,
  CassetteMissingError,
  readCassetteFile,
  RetraceError,
  type Cassette,
  type Interaction,
  type Step,
} from '@retrace/cassettes'
import { createInterceptedFetch } from '../capture/fetch/intercepted-fetch.ts'
import { ensureDispatchersIntercepted, installInterception, originalFetch } from '../capture/install-interception.ts'
import { addStartedSession, enterSession, removeStartedSession, runInSession } from '../capture/session-routing.ts'
import { isCI, parseCassetteOptions, requestedMode, type CassetteOptions } from './cassette-options.ts'
import { CassetteSession, type ActiveMode, type CassetteSummary, type StopOptions } from './cassette-session.ts'

/** A started cassette. */
export interface CassetteHandle {
  /** Absolute path of the cassette file. */
  readonly file: string
  /** What this run does: `record`, `replay` or `passthrough` (`auto` is already resolved). */
  readonly mode: ActiveMode
  /**
   * A fetch bound to this cassette whatever the async context, for SDK clients that take one:
   * `new OpenAI({ fetch: cassette.fetch })`. It refuses to run after `stop()`.
   */
  readonly fetch: typeof fetch
  /** The cassette file as it was when this cassette started (undefined when there was none). */
  readonly loaded: Cassette | undefined
  /** Requests replay could not answer so far (each was also thrown to its caller). */
  readonly mismatches: readonly CassetteMismatchError[]
  /** The interactions of this run so far: recorded, or replayed in the order served. */
  interactions(): Interaction[]
  /** The provider-neutral LLM steps of this run so far. */
  steps(): Step[]
  /**
   * Runs `fn` with this cassette as the one for everything it does, whatever the async
   * context (concurrent tests each run their agent inside their own cassette).
   */
  run<T>(fn: () => T): T
  /**
   * Ends the cassette; when recording, writes the file (atomically, redacted, secret-scanned).
   * `{ write: false }` drops the recording instead; `{ run }` stores the run's outcome with it.
   */
  stop(options?: StopOptions): Promise<CassetteSummary>
}

/**
 * Starts a cassette: from here on, requests made in this async context (and, outside any
 * scoped context, anywhere in the process) are recorded to or replayed from `file`, over
 * `fetch`, `node:http` and undici alike. Synchronous, so `startCassette(…)` and
 * `await startCassette(…)` both work.
 *
 * Modes: `auto` (default) replays when the file exists and records when it does not, except
 * under CI, where a missing cassette throws `CassetteMissingError`; `replay` never goes to
 * the network (an unmatched request throws `CassetteMismatchError`); `record` always calls
 * live and rewrites the file; `passthrough` neither records nor replays. `RETRACE_MODE`
 * overrides the option.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import OpenAI from 'openai'
 * import { startFakeProvider } from '@retrace/fake-provider'
 * const provider = await startFakeProvider() // stands in for api.openai.com
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'weather.cassette.json')
 * const runAgent = async (client: OpenAI, question: string) => (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] })).choices[0]?.message.content
 * const recording = startCassette(file) // no file yet: records
 * await runAgent(new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, fetch: recording.fetch }), 'Weather in Paris?') // → 'You said: Weather in Paris?'
 * await recording.stop()
 * await provider.stop() // no network from here on…
 * const replaying = startCassette(file) // …the file exists: replays it
 * await runAgent(new OpenAI({ apiKey: 'sk-test', baseURL: provider.openaiBaseURL, fetch: replaying.fetch }), 'Weather in Paris?') // → 'You said: Weather in Paris?'
 * await replaying.stop()
 */
export function startCassette(file: string, options: CassetteOptions = {}): CassetteHandle {
  const { handle, session } = openCassette(file, options)
  enterSession(session)
  return handle
}

/**
 * Runs `fn` with a cassette around it and stops the cassette afterwards, even if `fn`
 * throws. Fail-closed: if replay refused a request during the run, `withCassette` throws
 * that `CassetteMismatchError`, even when the agent caught it and carried on.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { startFakeProvider } from '@retrace/fake-provider'
 * const provider = await startFakeProvider()
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'weather.cassette.json')
 * const runAgent = async (question: string) => {
 *   const response = await fetch(`${provider.openaiBaseURL}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }) })
 *   return ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content
 * }
 * await withCassette(file, { mode: 'record' }, () => runAgent('Weather in Paris?')) // → 'You said: Weather in Paris?'
 * await provider.stop()
 * await withCassette(file, { mode: 'replay' }, () => runAgent('Weather in Paris?')) // → 'You said: Weather in Paris?'
 */
export async function withCassette<T>(file: string, options: CassetteOptions, fn: (cassette: CassetteHandle) => T | Promise<T>): Promise<T>
export async function withCassette<T>(file: string, fn: (cassette: CassetteHandle) => T | Promise<T>): Promise<T>
export async function withCassette<T>(
  file: string,
  optionsOrFn: CassetteOptions | ((cassette: CassetteHandle) => T | Promise<T>),
  maybeFn?: (cassette: CassetteHandle) => T | Promise<T>,
): Promise<T> {
  const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn
  if (typeof fn !== 'function') throw new TypeError('withCassette(file, options, fn): fn must be a function.')
  const { handle, session } = openCassette(file, typeof optionsOrFn === 'function' ? {} : optionsOrFn)
  let result: T
  try {
    result = await runInSession(session, () => fn(handle))
  } catch (error) {
    await handle.stop()
    const mismatch = handle.mismatches[0]
    // An SDK may wrap our refusal in its own error: surface the cause, the refusal itself.
    if (mismatch && !(error instanceof CassetteMismatchError)) throw mismatch
    throw error
  }
  await handle.stop()
  if (handle.mismatches[0]) throw handle.mismatches[0]
  return result
}

function openCassette(file: string, options: CassetteOptions): { handle: CassetteHandle; session: CassetteSession } {
  const parsed = parseCassetteOptions(options)
  const requested = requestedMode(parsed)
  const path = resolve(file)
  // Read (and validate) first, in every mode: a corrupt file is reported, never overwritten.
  const existing = requested === 'passthrough' ? undefined : readCassetteFile(path)
  let mode: ActiveMode
  if (requested === 'replay') {
    if (!existing) throw new CassetteMissingError(path, 'replay-mode')
    mode = 'replay'
  } else if (requested === 'auto') {
    if (existing) mode = 'replay'
    else if (isCI()) throw new CassetteMissingError(path, 'ci')
    else mode = 'record'
  } else mode = requested

  const session = new CassetteSession(path, mode, parsed, existing)
  const release = installInterception()
  ensureDispatchersIntercepted()
  addStartedSession(session)
  const bound = createInterceptedFetch(originalFetch(), () => session)
  let stopping: Promise<CassetteSummary> | undefined
  const handle: CassetteHandle = {
    file: path,
    mode,
    loaded: existing,
    fetch: (input, init) => {
      if (session.stopped) {
        return Promise.reject(
          new RetraceError('RETRACE_CASSETTE_STOPPED', `This fetch belongs to cassette ${path}, which was stopped.`, {
            hint: 'Start a new cassette for further requests, or give the client the global fetch.',
          }),
        )
      }
      return bound(input, init)
    },
    get mismatches() {
      return session.mismatches
    },
    interactions: () => session.interactions(),
    steps: () => session.steps(),
    run: (fn) => runInSession(session, fn),
    stop: (options) =>
      (stopping ??= session.stop(options).finally(() => {
        removeStartedSession(session)
        release()
      })),
  }
  return { handle, session }
}
