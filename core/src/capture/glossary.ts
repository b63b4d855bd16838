// The vocabulary capture shares with whatever answers its requests. Capture (the fetch,
// node:http, undici and raw-socket interceptors) knows only these types; the cassette
// session implements them. So the arrows run one way: capture → glossary ← session, and a
// request no longer walks capture → session → capture.
import type { EgressBlockedError, RetraceError, SseEvent } from '@retrace/cassettes'
import type { BodyRecorder } from '../recording/body-recorder.ts'
import type { ReplaySource } from '../replay/replay-source.ts'
import type { ReplayTiming } from '../replay/replay-timing.ts'
import type { CapturedRequest } from './captured-request.ts'

/**
 * The mode a started cassette runs in (`auto` is resolved at start). `observe` is the
 * runtime SDK's: calls go live and are recorded in memory for spans, never written.
 */
export type ActiveMode = 'record' | 'replay' | 'passthrough' | 'observe'

/**
 * Where one live exchange is recorded. Interceptors report what happens on the wire:
 * the response headers, then body chunks (to the returned recorder), then the end, or a
 * network error.
 */
export interface ExchangeRecording {
  /** The response headers arrived; returns the recorder its body chunks go to. */
  responseStarted(status: number, statusText: string, headers: Record<string, string>, onEvent?: (event: SseEvent) => void): BodyRecorder
  /** The request failed (before a response, or mid-body). */
  networkError(error: unknown): void
  /** The body ended, cleanly or not. */
  finish(): void
}

/** What an interceptor should do with a request. */
export type Resolution =
  | { kind: 'replay'; source: ReplaySource }
  | { kind: 'live'; slot: ExchangeRecording | undefined }
  | { kind: 'blocked'; error: RetraceError }

/**
 * Whatever answers the requests made while it is current: a started cassette, or the
 * runtime's observe session. Interceptors ask it per request and per raw connection.
 */
export interface RequestResolver {
  readonly mode: ActiveMode
  /** A stopped resolver answers nothing: requests fall through to the next one, or go live. */
  readonly stopped: boolean
  /** How replayed bodies are paced (instant, or the recorded timing). */
  readonly pacing: ReplayTiming
  /** Ask an OpenAI streamed chat completion for usage on the wire (and hide that chunk from the caller). */
  readonly injectStreamUsage: boolean
  /** Close a live connection once answered, so a mock library patched later sees the next request. */
  readonly closesLiveConnections: boolean
  /** True for hosts that are never recorded or replayed: always live. */
  ignoresHost(url: URL): boolean
  /** Decides, synchronously and in call order, how to answer a request. */
  resolve(request: CapturedRequest): Resolution
  /** The refusal for a connection no cassette can answer (raw socket, HTTP/2, DNS), or undefined to let it go. */
  connectionRefusal(transport: string, url: string): EgressBlockedError | undefined
}
