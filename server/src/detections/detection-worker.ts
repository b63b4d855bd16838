import { parentPort } from 'node:worker_threads'
import { detect, type DetectionResult, type DetectorTrace } from '@retrace/detectors'

// The detection worker thread: the detectors are pure CPU (tens of milliseconds for a typical
// multi-agent run, about a second for the longest Who&When run), so they run here and never
// hold the event loop that acknowledges ingest batches.

/** A job for the worker: one trace. */
export interface DetectionJob {
  id: number
  trace: DetectorTrace
}

/** The worker's answer: the result, or why there is none. */
export type DetectionAnswer = { id: number; result: DetectionResult; durationMs: number } | { id: number; error: { code: string; message: string }; durationMs: number }

parentPort?.on('message', (job: DetectionJob) => {
  const started = performance.now()
  try {
    const result = detect(job.trace)
    parentPort!.postMessage({ id: job.id, result, durationMs: performance.now() - started } satisfies DetectionAnswer)
  } catch (error) {
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'RETRACE_DETECTOR_FAILED'
    const message = error instanceof Error ? error.message : String(error)
    parentPort!.postMessage({ id: job.id, error: { code, message: message.slice(0, 2000) }, durationMs: performance.now() - started } satisfies DetectionAnswer)
  }
})
