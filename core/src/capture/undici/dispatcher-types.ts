// The slice of undici's Dispatcher API Retrace relies on, typed locally so that core does not
// depend on one undici version: Node's bundled undici (v7 API) and npm undici 8 both fit.

import type { HeaderSource } from '../captured-request.ts'

export interface DispatchOptions {
  origin?: string | URL
  path: string
  method: string
  headers?: HeaderSource | Iterable<[string, string]>
  body?: string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | null
  upgrade?: string | boolean | null
  [option: string]: unknown
}

/** The controller handed to new-style (undici ≥ 7) handlers. */
export interface DispatchController {
  abort(reason?: Error): void
  pause(): void
  resume(): void
  readonly aborted: boolean
  readonly paused: boolean
  readonly reason: Error | null
}

/** undici ≥ 7 handler hooks. */
export interface ModernHandler {
  onRequestStart?(controller: DispatchController, context: unknown): void
  onResponseStart?(controller: DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void
  onResponseData?(controller: DispatchController, chunk: Buffer): void
  onResponseEnd?(controller: DispatchController, trailers: Record<string, string | string[]>): void
  onResponseError?(controller: DispatchController, error: Error): void
}

/** Legacy handler hooks (what Node's built-in fetch still passes). */
export interface LegacyHandler {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void
  onData?(chunk: Buffer): boolean | void
  onComplete?(trailers: Buffer[] | null): void
  onError?(error: Error): void
}

export type DispatchHandler = ModernHandler & LegacyHandler

export interface DispatcherLike {
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean
}

/**
 * True for handlers written against the undici ≥ 7 hooks.
 *
 * @example
 * isModernHandler({ onResponseStart() {} }) // → true
 * isModernHandler({ onHeaders() {} }) // → false
 */
export function isModernHandler(handler: DispatchHandler): boolean {
  return typeof handler.onRequestStart === 'function' || typeof handler.onResponseStart === 'function'
}
