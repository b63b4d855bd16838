// Set-up and tear-down of every tool under test, in one place so each measurement file only
// says what it calls. Importing nock activates it at once; it is turned off right here, so
// no other row is ever measured through nock's interception.
import { ClientRequestInterceptor } from '@mswjs/interceptors/ClientRequest'
import { http as mswHttp, type HttpResponseResolver } from 'msw'
import { setupServer } from 'msw/node'
import nock from 'nock'
import { startCassette, type CassetteHandle, type CassetteOptions } from '@retrace/core'
import { CHAT_ORIGIN, CHAT_URL } from './fixtures.ts'
import type { Running, Subject } from './harness.ts'

nock.restore()

/** A started Retrace cassette; `stop()` checks nothing was refused (a refusal means a broken measurement). */
export interface RetraceRun {
  cassette: CassetteHandle
  stop: () => Promise<Record<string, number>>
}

/**
 * Starts a Retrace cassette and returns a stop function that releases interception and
 * throws if replay refused any request.
 */
export function startRetrace(file: string, options: CassetteOptions): RetraceRun {
  const cassette = startCassette(file, options)
  return {
    cassette,
    stop: async () => {
      const started = performance.now()
      const summary = await cassette.stop()
      const stopMs = performance.now() - started
      if (summary.mismatches > 0) throw new Error(`Retrace refused ${summary.mismatches} request(s) in ${file}: ${cassette.mismatches[0]?.message}`)
      return { stopMs, interactions: summary.interactions }
    },
  }
}

/**
 * The two Retrace replay rows every replay measurement has: through the global `fetch` (what an
 * SDK constructed after set-up uses) and through the explicit `cassette.fetch`.
 */
export function retraceReplaySubjects(file: string, post: (fetchImpl: typeof fetch) => Promise<unknown>): { retrace: Subject; retraceExplicit: Subject } {
  const replay = { mode: 'replay', allowPlaybackRepeats: true } as const
  return {
    retrace: {
      name: 'retrace replay (global fetch)',
      start: async () => {
        const run = startRetrace(file, replay)
        // Looked up per call: the global fetch is Retrace's only while the cassette runs.
        return { call: () => post(globalThis.fetch), stop: run.stop }
      },
    },
    retraceExplicit: {
      name: 'retrace replay (cassette.fetch)',
      start: async () => {
        const run = startRetrace(file, replay)
        return { call: () => post(run.cassette.fetch), stop: run.stop }
      },
    },
  }
}

/**
 * msw 3 `setupServer` with one `http.post` handler for the chat URL; unhandled requests error
 * (so nothing silently goes to the network).
 */
export function startMsw(resolver: HttpResponseResolver, call: () => Promise<unknown>): Running {
  const server = setupServer(mswHttp.post(CHAT_URL, resolver))
  server.listen({ onUnhandledFrame: 'error' })
  return {
    call,
    stop: async () => {
      server.close()
    },
  }
}

/** The nock scope a measurement defines its interceptor on (`.persist()`, chat origin). */
export type NockScope = ReturnType<ReturnType<typeof nock>['persist']>

/** Activates nock with a persisted interceptor defined by `define`; stop removes it and restores the globals. */
export function startNock(define: (scope: NockScope) => void, call: () => Promise<unknown>): Running {
  nock.activate()
  define(nock(CHAT_ORIGIN).persist())
  return {
    call,
    stop: async () => {
      nock.cleanAll()
      nock.restore()
    },
  }
}

/**
 * @mswjs/interceptors 0.45 `ClientRequestInterceptor` (node:http only), answering every
 * request with `respond(request)`.
 */
export function startClientRequestInterceptor(respond: (request: Request) => Promise<Response>, call: () => Promise<unknown>): Running {
  const interceptor = new ClientRequestInterceptor()
  interceptor.on('request', async ({ request, controller }) => {
    controller.respondWith(await respond(request))
  })
  interceptor.apply()
  return {
    call,
    stop: async () => {
      interceptor.dispose()
    },
  }
}
