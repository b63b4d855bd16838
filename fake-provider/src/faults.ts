/**
 * Fault injection. A marker in the last user message triggers the fault, so an agent
 * under test (or a recorded cassette) can hit it without access to the server's options.
 */

export type Fault =
  /** Send this many SSE events (or, for JSON, half the body), then destroy the socket. */
  | { readonly kind: 'abort-after'; readonly events: number }
  /** Answer with this HTTP status and the provider's error JSON. */
  | { readonly kind: 'status'; readonly status: number }

const FAULT_MARKER = /\[\[fake:(?:abort-after-(?<events>\d+)|status-(?<status>[45]\d\d))\]\]/u

/**
 * The fault a message asks for: `[[fake:abort-after-N]]` or `[[fake:status-NNN]]` (4xx/5xx).
 *
 * @example
 * detectFault('Tell me a story [[fake:abort-after-3]]') // { kind: 'abort-after', events: 3 }
 * detectFault('[[fake:status-429]]')                    // { kind: 'status', status: 429 }
 * detectFault('hello')                                  // undefined
 */
export function detectFault(text: string): Fault | undefined {
  const groups = FAULT_MARKER.exec(text)?.groups
  if (groups?.['events'] !== undefined) return { kind: 'abort-after', events: Number(groups['events']) }
  if (groups?.['status'] !== undefined) return { kind: 'status', status: Number(groups['status']) }
  return undefined
}
