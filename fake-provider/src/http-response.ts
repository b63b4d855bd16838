/**
 * Writing response bodies: whole JSON documents and event streams, optionally gzipped,
 * with awaitable writes so a fault can cut the connection at an exact point.
 */

import { once } from 'node:events'
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { createGzip, gzipSync } from 'node:zlib'

const GZIP_ABORT_GRACE_MS = 10

/** A streamed response body; writes resolve once the bytes reached the socket. */
export interface StreamingBody {
  write(text: string): Promise<void>
  /** Finishes the body normally. */
  end(): Promise<void>
  /** Destroys the socket after what was written so far, as a crashing upstream would. */
  abort(): Promise<void>
  /** True once the client went away or the body ended. */
  readonly closed: boolean
}

/**
 * Sends a complete JSON body. With `cutMidBody` only the first half of the bytes is
 * written before the socket is destroyed, so the client sees a truncated response.
 *
 * @example
 * await sendJson(res, 400, { 'x-request-id': 'req_1' }, { error: { message: 'bad' } }, { gzip: false })
 */
export async function sendJson(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  payload: unknown,
  options: { readonly gzip: boolean; readonly cutMidBody?: boolean },
): Promise<void> {
  const json = Buffer.from(JSON.stringify(payload))
  const bytes = options.gzip ? gzipSync(json) : json
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': bytes.length,
    ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
  })
  if (!options.cutMidBody) {
    await endResponse(res, bytes)
    return
  }
  await writeToSocket(res, bytes.subarray(0, Math.floor(bytes.length / 2)))
  res.destroy()
}

/**
 * Starts a streamed (chunked) body. With `gzip`, each write is compressed and flushed on
 * its own, so every SSE event reaches the client as soon as it is written.
 *
 * @example
 * res.writeHead(200, { 'content-type': 'text/event-stream' })
 * const body = openStreamingBody(res, { gzip: false })
 * await body.write('data: {}\n\n')
 * await body.end()
 */
export function openStreamingBody(res: ServerResponse, options: { readonly gzip: boolean }): StreamingBody {
  return options.gzip ? openGzipBody(res) : openPlainBody(res)
}

function openPlainBody(res: ServerResponse): StreamingBody {
  return {
    write: (text) => writeToSocket(res, text),
    end: () => endResponse(res),
    abort: async () => {
      res.destroy()
    },
    get closed() {
      return res.destroyed || res.writableEnded
    },
  }
}

function openGzipBody(res: ServerResponse): StreamingBody {
  const gzip = createGzip()
  let lastSocketWrite = Promise.resolve()
  gzip.on('data', (compressed: Buffer) => {
    lastSocketWrite = writeToSocket(res, compressed)
  })
  const flushed = async (): Promise<void> => {
    await new Promise<void>((resolve) => gzip.flush(() => resolve()))
    // The compressed bytes are handed to the socket in 'data' handlers; let them run first.
    await new Promise<void>((resolve) => setImmediate(resolve))
    await lastSocketWrite
  }
  return {
    write: async (text) => {
      gzip.write(text)
      await flushed()
    },
    end: async () => {
      // 'end' (not 'finish') fires once the gzip trailer has been emitted as 'data'.
      const trailerEmitted = once(gzip, 'end')
      gzip.end()
      await trailerEmitted
      await lastSocketWrite
      await endResponse(res)
    },
    abort: async () => {
      // Clients inflate asynchronously and drop what is still inflating when the socket
      // dies; a short grace lets them surface every event that was sent before the cut.
      await sleep(GZIP_ABORT_GRACE_MS)
      gzip.destroy()
      res.destroy()
    },
    get closed() {
      return res.destroyed || res.writableEnded
    },
  }
}

/** Resolves when the response finished, or when its connection closed first. */
function endResponse(res: ServerResponse, chunk?: Uint8Array): Promise<void> {
  if (res.destroyed) return Promise.resolve()
  return new Promise<void>((resolve) => {
    res.once('close', resolve)
    if (chunk === undefined) res.end(() => resolve())
    else res.end(chunk, () => resolve())
  })
}

/** Resolves when the chunk was handed to the socket, or failed because the client left. */
function writeToSocket(res: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  if (res.destroyed) return Promise.resolve()
  return new Promise<void>((resolve) => {
    res.write(chunk, () => resolve())
  })
}
