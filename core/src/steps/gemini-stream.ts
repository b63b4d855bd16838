import type { SseEvent } from '@retrace/cassettes'
import { asArray, asRecord } from './json-guards.ts'

type MutableRecord = Record<string, unknown>

/**
 * Merges streamed Gemini `GenerateContentResponse` chunks into one response: the first
 * candidate's parts are concatenated in order (adjacent text of the same kind, answer or
 * thought, joined into one part), the last finish reason and the last `usageMetadata` win.
 * Accepts SSE events (`alt=sse`) or the chunk array a non-SSE stream returns.
 *
 * @example
 * const merged = mergeGeminiChunks([
 *   { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] } }] },
 *   { candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 } },
 * ])
 * merged.candidates // → [{ content: { role: 'model', parts: [{ text: 'Hello' }] }, finishReason: 'STOP' }]
 * merged.usageMetadata // → { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 }
 */
export function mergeGeminiChunks(chunks: readonly unknown[]): MutableRecord {
  const parts: MutableRecord[] = []
  const merged: MutableRecord = {}
  let finishReason: unknown

  for (const rawChunk of chunks) {
    const chunk = asRecord(rawChunk)
    if (chunk === undefined) continue
    for (const key of ['modelVersion', 'responseId', 'usageMetadata', 'promptFeedback', 'error']) {
      if (chunk[key] !== undefined) merged[key] = chunk[key]
    }
    const candidate = asArray(chunk['candidates'])
      .map(asRecord)
      .find((c) => (c?.['index'] ?? 0) === 0)
    if (candidate === undefined) continue
    finishReason = candidate['finishReason'] ?? finishReason
    for (const rawPart of asArray(asRecord(candidate['content'])?.['parts'])) {
      const part = asRecord(rawPart)
      if (part !== undefined) appendPart(parts, part)
    }
  }

  const candidate: MutableRecord = { content: { role: 'model', parts } }
  if (finishReason !== undefined) candidate['finishReason'] = finishReason
  return { ...merged, candidates: parts.length > 0 || finishReason !== undefined ? [candidate] : [] }
}

/**
 * The chunks of a streamed Gemini body, as `mergeGeminiChunks` takes them.
 *
 * @example
 * geminiChunksOfSse([{ t: 0, data: { candidates: [] } }, { t: 1, comment: 'keep-alive' }]) // → [{ candidates: [] }]
 */
export function geminiChunksOfSse(events: readonly SseEvent[]): unknown[] {
  return events.flatMap((event) => (event.data === undefined ? [] : [event.data]))
}

function appendPart(parts: MutableRecord[], part: Readonly<MutableRecord>): void {
  const last = parts.at(-1)
  const text = part['text']
  if (typeof text === 'string' && typeof last?.['text'] === 'string' && (last['thought'] === true) === (part['thought'] === true)) {
    last['text'] = last['text'] + text
    // Gemini 3 attaches a thought signature to some chunks; keep the latest one.
    if (part['thoughtSignature'] !== undefined) last['thoughtSignature'] = part['thoughtSignature']
    return
  }
  parts.push({ ...part })
}
