/**
 * Volatile identifiers shaped like the real providers' ones. They are random on purpose:
 * a recorder must cope with ids that differ between two identical calls.
 */

import { randomBytes, randomInt } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const HEX = '0123456789abcdef'
const BASE64URL = `${BASE62}-_`

interface IdShape {
  readonly prefix: string
  readonly alphabet: string
  readonly length: number
}

const ID_SHAPES = {
  chatCompletion: { prefix: 'chatcmpl-', alphabet: BASE62, length: 29 },
  openaiToolCall: { prefix: 'call_', alphabet: BASE62, length: 24 },
  response: { prefix: 'resp_', alphabet: HEX, length: 50 },
  responseMessage: { prefix: 'msg_', alphabet: HEX, length: 50 },
  responseFunctionCall: { prefix: 'fc_', alphabet: HEX, length: 50 },
  systemFingerprint: { prefix: 'fp_', alphabet: HEX, length: 10 },
  openaiRequest: { prefix: 'req_', alphabet: HEX, length: 32 },
  anthropicMessage: { prefix: 'msg_01', alphabet: BASE62, length: 22 },
  anthropicToolUse: { prefix: 'toolu_01', alphabet: BASE62, length: 22 },
  anthropicRequest: { prefix: 'req_011C', alphabet: BASE62, length: 20 },
  geminiResponse: { prefix: '', alphabet: BASE64URL, length: 23 },
  obfuscation: { prefix: '', alphabet: BASE62, length: 12 },
  cfRay: { prefix: '', alphabet: HEX, length: 16 },
  cookie: { prefix: '', alphabet: BASE64URL, length: 43 },
} as const satisfies Record<string, IdShape>

export type IdKind = keyof typeof ID_SHAPES

/**
 * A fresh random id of the given kind, e.g. `chatcmpl-…`, `toolu_01…`, `fp_…`.
 *
 * @example
 * newId('openaiToolCall') // 'call_Xb3…' (24 random base62 characters)
 */
export function newId(kind: IdKind): string {
  const { prefix, alphabet, length } = ID_SHAPES[kind]
  let id = prefix
  for (let index = 0; index < length; index++) id += alphabet[randomInt(alphabet.length)]
  return id
}

/**
 * An opaque signature like the one Anthropic attaches to thinking blocks.
 *
 * @example
 * newThinkingSignature() // 'EqQBCkgI…' (base64)
 */
export function newThinkingSignature(): string {
  return randomBytes(96).toString('base64')
}

/**
 * Current Unix time in whole seconds, as `created` / `created_at` fields carry it.
 *
 * @example
 * unixSeconds() // 1767225600
 */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000)
}
