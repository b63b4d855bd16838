import type { BlobPart, JsonValue, ReasoningPart, RefusalPart, TextPart, ToolCallPart, ToolCallResponsePart, UriPart } from '@retrace/cassettes'

// Builders for OpenTelemetry GenAI message parts, shared by every provider mapping so each
// part has one spelling. Media is described (type, modality), never copied: a step is for
// reading and diffing, and the request body already holds the bytes.

/**
 * A text part.
 *
 * @example
 * textPart('Hello') // → { type: 'text', content: 'Hello' }
 */
export function textPart(content: string): TextPart {
  return { type: 'text', content }
}

/**
 * A reasoning (thinking) part.
 *
 * @example
 * reasoningPart('First, …') // → { type: 'reasoning', content: 'First, …' }
 */
export function reasoningPart(content: string): ReasoningPart {
  return { type: 'reasoning', content }
}

/**
 * A refusal part.
 *
 * @example
 * refusalPart("I can't help with that.") // → { type: 'refusal', content: "I can't help with that." }
 */
export function refusalPart(content: string): RefusalPart {
  return { type: 'refusal', content }
}

/**
 * A tool call the model made; `id` is left out when the provider gives none (Gemini).
 *
 * @example
 * toolCallPart('call_1', 'get_weather', { city: 'Paris' })
 * // → { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }
 */
export function toolCallPart(id: string | undefined, name: string, args: JsonValue): ToolCallPart {
  return id === undefined ? { type: 'tool_call', name, arguments: args } : { type: 'tool_call', id, name, arguments: args }
}

/**
 * A tool result sent back to the model.
 *
 * @example
 * toolCallResponsePart('call_1', '{"temp":14}') // → { type: 'tool_call_response', response: '{"temp":14}', id: 'call_1' }
 */
export function toolCallResponsePart(id: string | undefined, response: JsonValue, name?: string): ToolCallResponsePart {
  const part: ToolCallResponsePart = { type: 'tool_call_response', response }
  if (id !== undefined) part.id = id
  if (name !== undefined) part.name = name
  return part
}

/**
 * OTel modality of a MIME type: `image`, `audio`, `video`, else `document`.
 *
 * @example
 * modalityOfMime('image/png')       // → 'image'
 * modalityOfMime('application/pdf') // → 'document'
 */
export function modalityOfMime(mimeType: string | undefined): string | undefined {
  if (mimeType === undefined) return undefined
  const major = mimeType.split('/')[0]?.toLowerCase()
  return major === 'image' || major === 'audio' || major === 'video' ? major : 'document'
}

/**
 * Inline media, described by its MIME type and modality (the bytes stay in the request).
 *
 * @example
 * blobPart('image/jpeg') // → { type: 'blob', modality: 'image', mime_type: 'image/jpeg' }
 */
export function blobPart(mimeType: string | undefined, modality?: string): BlobPart {
  const part: BlobPart = { type: 'blob' }
  const resolvedModality = modality ?? modalityOfMime(mimeType)
  if (resolvedModality !== undefined) part.modality = resolvedModality
  if (mimeType !== undefined) part.mime_type = mimeType
  return part
}

const DATA_URL = /^data:([^;,]+)?[;,]/iu

/**
 * A blob part for inline file data, which providers send either as a `data:` URL or as bare
 * base64; only the MIME type a data URL declares is kept.
 *
 * @example
 * blobPartFromData('data:application/pdf;base64,JVBERi0=', 'document') // → { type: 'blob', modality: 'document', mime_type: 'application/pdf' }
 * blobPartFromData('JVBERi0=', 'document')                              // → { type: 'blob', modality: 'document' }
 */
export function blobPartFromData(data: string, modality: string): BlobPart {
  return blobPart(DATA_URL.exec(data)?.[1], modality)
}

/**
 * A part for media given by URL: a `data:` URL is inline bytes, so it becomes a `blob` that
 * keeps only the MIME type; any other URL is a reference and is kept as a `uri` part.
 *
 * @example
 * mediaPartFromUrl('data:image/png;base64,iVBO', 'image') // → { type: 'blob', modality: 'image', mime_type: 'image/png' }
 * mediaPartFromUrl('https://x.test/cat.jpg', 'image')    // → { type: 'uri', uri: 'https://x.test/cat.jpg', modality: 'image' }
 */
export function mediaPartFromUrl(url: string, modality: string, mimeType?: string): BlobPart | UriPart {
  if (url.startsWith('data:')) return blobPart(DATA_URL.exec(url)?.[1] ?? mimeType, modality)
  const part: UriPart = { type: 'uri', uri: url, modality }
  if (mimeType !== undefined) part.mime_type = mimeType
  return part
}
