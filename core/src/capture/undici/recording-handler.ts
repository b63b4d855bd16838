import type { Transform } from 'node:stream'
import * as zlib from 'node:zlib'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import type { BodyRecorder } from '../../recording/body-recorder.ts'
import { headerRecord } from '../captured-request.ts'
import type { ExchangeRecording } from '../glossary.ts'
import { isModernHandler, type DispatchController, type DispatchHandler } from './dispatcher-types.ts'

/**
 * Wraps a dispatch handler so the live response it receives is recorded on the way through.
 * At this layer bodies are still compressed, so gzip / deflate / br / zstd bodies are
 * decoded for storage with a streaming decompressor (the handler still gets the raw bytes).
 *
 * @example
 * inner.dispatch(options, recordingHandler(handler, slot))
 */
export function recordingHandler(handler: DispatchHandler, slot: ExchangeRecording): DispatchHandler {
  let sink: BodySink | undefined
  const start = (status: number, statusText: string, headers: Record<string, string>) => {
    sink = bodySink(headers['content-encoding'], slot.responseStarted(status, statusText, headers))
  }
  const end = () => void (sink ? sink.end().then(() => slot.finish()) : slot.finish())
  const error = (failure: Error) => {
    if (!sink) return slot.networkError(failure)
    sink.fail(failure)
    end()
  }
  const overrides: Partial<DispatchHandler> = isModernHandler(handler)
    ? {
        onResponseStart(controller: DispatchController, statusCode, headers, statusMessage) {
          start(statusCode, statusMessage ?? '', headerRecord(headers))
          handler.onResponseStart?.(controller, statusCode, headers, statusMessage)
        },
        onResponseData(controller: DispatchController, chunk) {
          sink?.write(chunk)
          handler.onResponseData?.(controller, chunk)
        },
        onResponseEnd(controller: DispatchController, trailers) {
          end()
          handler.onResponseEnd?.(controller, trailers)
        },
        onResponseError(controller: DispatchController, failure) {
          error(failure)
          handler.onResponseError?.(controller, failure)
        },
      }
    : {
        onHeaders(statusCode, rawHeaders, resume, statusText) {
          start(statusCode, statusText, headerRecord(rawHeaders))
          return handler.onHeaders?.(statusCode, rawHeaders, resume, statusText)
        },
        onData(chunk) {
          sink?.write(chunk)
          return handler.onData?.(chunk)
        },
        onComplete(trailers) {
          end()
          handler.onComplete?.(trailers)
        },
        onError(failure) {
          error(failure)
          handler.onError?.(failure)
        },
      }
  // Everything else (onConnect, onUpgrade, fetch's own fields) reaches the original handler.
  return new Proxy(handler, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key in overrides && typeof (target as Record<string, unknown>)[key] === 'function') {
        return overrides[key as keyof DispatchHandler]
      }
      const value: unknown = Reflect.get(target, key, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

interface BodySink {
  write(chunk: Uint8Array): void
  fail(error: Error): void
  end(): Promise<void>
}

function bodySink(encoding: string | undefined, recorder: BodyRecorder): BodySink {
  const fail = (error: Error) => recorder.fail(error.name === 'AbortError' ? 'aborted' : 'error', error)
  const decoder = decompressorFor(encoding)
  if (!decoder) return { write: (chunk) => recorder.chunk(chunk), fail, end: async () => {} }
  decoder.on('data', (chunk: Buffer) => recorder.chunk(chunk))
  const done = new Promise<void>((resolve) => {
    decoder.once('end', resolve)
    decoder.once('error', (error: Error) => {
      fail(error)
      resolve()
    })
  })
  return {
    write: (chunk) => decoder.write(chunk),
    fail,
    end: () => {
      decoder.end()
      return done
    },
  }
}

/**
 * A streaming decoder for a `content-encoding` (gzip, deflate, br, zstd), or undefined for
 * identity and unknown encodings.
 *
 * @example
 * const decoder = decompressorFor(headers['content-encoding'])
 */
export function decompressorFor(encoding: string | undefined): Transform | undefined {
  const name = encoding?.trim().toLowerCase()
  // Flush per chunk so server-sent events are decoded (and timed) as they arrive.
  const options = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH }
  if (name === 'gzip' || name === 'x-gzip') return createGunzip(options)
  if (name === 'deflate') return createInflate(options)
  if (name === 'br') return createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })
  if (name === 'zstd' && 'createZstdDecompress' in zlib) return (zlib as unknown as { createZstdDecompress(): Transform }).createZstdDecompress()
  return undefined
}
