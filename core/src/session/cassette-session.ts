import {
  CassetteMismatchError,
  compileMatchOptions,
  EgressBlockedError,
  findClosestRequest,
  requestKey,
  writeCassetteFile,
  type Cassette,
  type CompiledMatchOptions,
  type Interaction,
  type RecordedRequest,
  type RecordedRun,
  type Step,
} from '@retrace/cassettes'
import { toRecordedRequest, type CapturedRequest } from '../capture/captured-request.ts'
import { allowedHostsFromEnvironment, egressRefusal } from '../capture/egress-policy.ts'
import type { ActiveMode, RequestResolver, Resolution } from '../capture/glossary.ts'
import { hostMatcher } from '../capture/host-patterns.ts'
import { notifyInteraction } from '../capture/interaction-observers.ts'
import { createRedactor, type Redaction } from '../redaction/redactor.ts'
import { recordLedgerEntry } from '../run-ledger/run-ledger.ts'
import { replaySourceOf } from '../replay/replay-source.ts'
import type { ReplayTiming } from '../replay/replay-timing.ts'
import { detectLlmApi, extractStep } from '../steps/index.ts'
import { finalizeRecording } from './finalize-recording.ts'
import type { CassetteOptions } from './cassette-options.ts'
import { RecordingSlot } from './recording-slot.ts'

export type { ActiveMode } from '../capture/glossary.ts'

/** Options of `stop()`. */
export interface StopOptions {
  /** `false` records without writing: a live run compared against the cassette, then dropped. */
  write?: boolean
  /** The run's outcome (return value or error, and the test) stored with the cassette. */
  run?: RecordedRun
}

/** What `stop()` reports. */
export interface CassetteSummary {
  file: string
  mode: ActiveMode
  /** True when the file on disk changed (record mode only). */
  written: boolean
  /** Interactions in the cassette after this run. */
  interactions: number
  /** Requests answered from the cassette (replay). */
  replayed: number
  /** Recorded interactions this run never used (replay). */
  unused: number
  /** Indexes of the recorded interactions this run used, ascending (replay). */
  used: number[]
  /** Requests and connections replay refused (unmatched requests, blocked hosts). */
  mismatches: number
  /** Of those, the ones refused for their host (`EgressBlockedError`): HTTP requests, sockets, DNS queries. */
  egress: number
}

/**
 * The state of one started cassette: the loaded recording and its match index (replay),
 * or the exchanges being recorded (record). Capture asks it what to do per request, through
 * the `RequestResolver` interface it implements (capture/glossary.ts).
 */
export class CassetteSession implements RequestResolver {
  readonly file: string
  readonly mode: ActiveMode
  readonly redaction: Redaction
  readonly pacing: ReplayTiming
  readonly injectStreamUsage: boolean
  /** Live calls close their connection once answered (all but the runtime's `observe`): see capture/live-connection.ts. */
  readonly closesLiveConnections: boolean
  readonly mismatches: CassetteMismatchError[] = []
  readonly #match: CompiledMatchOptions
  readonly #previous: Cassette | undefined
  readonly #queues = new Map<string, number[]>()
  readonly #lastByKey = new Map<string, number>()
  readonly #recordedCount = new Map<string, number>()
  readonly #served: number[] = []
  readonly #recorded: Array<Interaction | undefined> = []
  readonly #slots = new Set<RecordingSlot>()
  readonly #allowHost: (url: URL) => boolean
  readonly #ignoreHost: (url: URL) => boolean
  readonly #allowRepeats: boolean
  readonly #ledger: boolean
  readonly #stopTimeoutMs: number
  #requests = 0
  #stopped = false

  /** For a fork: LLM calls served in order from the parent run before going live. */
  readonly #prefix: { interactions: readonly Interaction[]; served: number } | undefined

  constructor(file: string, mode: ActiveMode, options: CassetteOptions, previous: Cassette | undefined, prefix?: readonly Interaction[]) {
    this.#prefix = prefix ? { interactions: prefix, served: 0 } : undefined
    this.file = file
    this.mode = mode
    this.#previous = previous
    this.redaction = createRedactor(options.redact ?? [])
    this.#match = compileMatchOptions(options)
    this.pacing = { timing: options.timing ?? 'instant', speed: options.speed ?? 1 }
    this.injectStreamUsage = options.injectStreamUsage ?? true
    this.closesLiveConnections = mode !== 'observe'
    this.#allowHost = hostMatcher(options.allowHosts)
    this.#ignoreHost = hostMatcher(options.ignoreHosts)
    this.#allowRepeats = options.allowPlaybackRepeats ?? false
    this.#ledger = options.ledger ?? true
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 30_000
    if (mode === 'replay' && previous) {
      previous.interactions.forEach((interaction, index) => {
        const key = requestKey(this.redaction.request(interaction.request), this.#match)
        const queue = this.#queues.get(key)
        if (queue) queue.push(index)
        else this.#queues.set(key, [index])
        this.#recordedCount.set(key, (this.#recordedCount.get(key) ?? 0) + 1)
      })
    }
  }

  get stopped(): boolean {
    return this.#stopped
  }

  /** True for hosts named in `ignoreHosts`: never recorded, never replayed, always live. */
  ignoresHost(url: URL): boolean {
    return this.#ignoreHost(url)
  }

  /**
   * Decides how to answer a request: replay a recorded response, go live (recording it or
   * not), or refuse. The request is redacted first, exactly as it would be stored, so a
   * secret never decides a match. Synchronous, so concurrent requests are matched in the
   * order they were made.
   */
  resolve(captured: CapturedRequest): Resolution {
    const requestNumber = ++this.#requests
    // Replay matches on method, URL and body: only headers named in matchHeaders are needed.
    const request = toRecordedRequest(captured, this.redaction, this.mode === 'replay' ? this.#match.matchHeaders : 'all')
    const url = safeUrl(request.url)
    if (this.mode === 'passthrough' || (url && this.#ignoreHost(url))) return { kind: 'live', slot: undefined }
    if (this.mode === 'record') return { kind: 'live', slot: this.startRecording(request) }
    if (this.mode === 'observe') {
      // A fork's prefix: the parent's LLM calls, in order, whatever the new input changed.
      const prefix = this.#prefix
      if (prefix && prefix.served < prefix.interactions.length && detectLlmApi(request.method, request.url)) {
        const interaction = prefix.interactions[prefix.served++]!
        notifyInteraction(interaction)
        return { kind: 'replay', source: replaySourceOf(interaction) }
      }
      // Not a cassette: requests outside any cassette stay under the egress policy.
      const refusal = egressRefusal(request.method, request.url)
      return refusal ? { kind: 'blocked', error: refusal } : { kind: 'live', slot: this.startRecording(request) }
    }

    const key = requestKey(request, this.#match)
    const queue = this.#queues.get(key)
    const index = queue?.shift() ?? (this.#allowRepeats ? this.#lastByKey.get(key) : undefined)
    if (index !== undefined) {
      this.#lastByKey.set(key, index)
      this.#served.push(index)
      const interaction = this.#previous!.interactions[index]!
      notifyInteraction(interaction)
      return { kind: 'replay', source: replaySourceOf(interaction) }
    }
    if (url && this.#allowHost(url)) return { kind: 'live', slot: undefined }
    const error = this.#mismatch(request, requestNumber, key)
    this.#refused(error)
    return { kind: 'blocked', error }
  }

  /**
   * Judges a connection no cassette can answer (a raw socket, HTTP/2, a WebSocket, a DNS
   * query; `url` is `tcp://host:port`, `tls://…` or `dns://host`). Replay never reaches the
   * network: unless the host is in `allowHosts`, `ignoreHosts` or `RETRACE_ALLOW_HOSTS`
   * (loopback only when named), the connection is refused and counted as a mismatch. Record
   * and passthrough go live.
   */
  connectionRefusal(transport: string, url: string): EgressBlockedError | undefined {
    // The runtime's observe session is not a cassette: the egress policy applies, as to its requests.
    if (this.mode === 'observe') return egressRefusal(transport, url)
    if (this.mode !== 'replay') return undefined
    const parsed = safeUrl(url)
    if (parsed && (this.#allowHost(parsed) || this.#ignoreHost(parsed) || allowedHostsFromEnvironment()(parsed))) return undefined
    const error = new EgressBlockedError({ file: this.file, reason: 'egress-blocked', method: transport, url, requestNumber: ++this.#requests })
    this.#refused(error)
    return error
  }

  /**
   * Keeps a refusal for `stop()` and `withCassette`, and writes it to the run ledger, so the
   * CI gate counts it even when the agent caught it and carried on. The test matchers report
   * the cassette's outcome themselves (`ledger: false`).
   */
  #refused(error: CassetteMismatchError): void {
    this.mismatches.push(error)
    if (!this.#ledger) return
    const outcome = error.reason === 'egress-blocked' ? 'egress' : 'request-changed'
    recordLedgerEntry({ testPath: '', testName: '', cassette: this.file, outcome, message: error.message.slice(0, 4000) })
  }

  #mismatch(request: RecordedRequest, requestNumber: number, key: string): CassetteMismatchError {
    const base = { file: this.file, method: request.method, url: request.url, requestNumber }
    const recordedCount = this.#recordedCount.get(key)
    if (recordedCount) return new CassetteMismatchError({ ...base, reason: 'exhausted', recordedCount })
    const recorded = (this.#previous?.interactions ?? []).map((interaction) => this.redaction.request(interaction.request))
    const closest = findClosestRequest(request, recorded, this.#match, requestNumber - 1)
    if (!closest) return new EgressBlockedError({ ...base, reason: 'egress-blocked' })
    return new CassetteMismatchError({ ...base, reason: 'unmatched', closest: { index: closest.index, differences: closest.differences } })
  }

  /** Reserves the next position in the recording for a request being sent live. */
  startRecording(request: RecordedRequest): RecordingSlot {
    const position = this.#recorded.length
    this.#recorded.push(undefined)
    const slot = new RecordingSlot(request, (interaction) => {
      this.#recorded[position] = interaction
      this.#slots.delete(slot)
      notifyInteraction(interaction)
    })
    this.#slots.add(slot)
    return slot
  }

  /**
   * The provider-neutral steps of this run so far: the LLM calls recorded (record) or
   * replayed (replay), in order.
   */
  steps(): Step[] {
    const interactions = this.mode === 'replay' ? this.#served.map((index) => this.#previous!.interactions[index]!) : this.#completedRecording()
    return interactions.flatMap((interaction) => extractStep(interaction) ?? [])
  }

  /** Interactions of this run so far (recorded, or replayed in the order served). */
  interactions(): Interaction[] {
    return this.mode === 'replay' ? this.#served.map((index) => this.#previous!.interactions[index]!) : this.#completedRecording()
  }

  #completedRecording(): Interaction[] {
    return this.#recorded.filter((interaction): interaction is Interaction => interaction !== undefined)
  }

  /**
   * Ends the cassette. Recording: waits for open bodies (up to `stopTimeoutMs`), redacts,
   * adds steps, keeps unchanged interactions byte-identical, and writes atomically.
   */
  async stop(options: StopOptions = {}): Promise<CassetteSummary> {
    this.#stopped = true
    const summary: CassetteSummary = {
      file: this.file,
      mode: this.mode,
      written: false,
      interactions: this.#previous?.interactions.length ?? 0,
      replayed: this.#served.length,
      unused: 0,
      used: [],
      mismatches: this.mismatches.length,
      egress: this.mismatches.filter((error) => error.reason === 'egress-blocked').length,
    }
    if (this.mode === 'replay') {
      summary.used = [...new Set(this.#served)].sort((a, b) => a - b)
      summary.unused = (this.#previous?.interactions.length ?? 0) - summary.used.length
      this.#release()
      return summary
    }
    if (this.mode !== 'record' && this.mode !== 'observe') return summary
    await this.#settleOpenSlots()
    summary.interactions = this.#recorded.length
    if (options.write === false || this.mode === 'observe') return summary
    const cassette = finalizeRecording({
      interactions: this.#completedRecording(),
      previous: this.#previous,
      redaction: this.redaction,
      match: this.#match,
      ...(options.run ? { run: options.run } : {}),
    })
    summary.written = await writeCassetteFile(this.file, cassette)
    summary.interactions = cassette.interactions.length
    this.#release()
    return summary
  }

  /**
   * Drops the match indexes of a stopped cassette: a handle (or an async context that
   * entered it) may outlive the run. The interactions stay, for `steps()` after `stop()`.
   */
  #release(): void {
    this.#queues.clear()
    this.#lastByKey.clear()
    this.#recordedCount.clear()
  }

  async #settleOpenSlots(): Promise<void> {
    if (this.#slots.size === 0) return
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#stopTimeoutMs)))
    await Promise.race([Promise.all([...this.#slots].map((slot) => slot.done)), timeout])
    clearTimeout(timer)
    for (const slot of [...this.#slots]) slot.abandon(`still open when the cassette stopped after ${this.#stopTimeoutMs} ms`)
  }

}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}
