import type { Interaction } from '@retrace/cassettes'
import type { CapturedRequest } from './captured-request.ts'

// Hooks for the runtime SDK: it watches every exchange (to turn LLM calls into spans) and may
// refuse an LLM call before it is sent (run budgets). Shared through globalThis so two copies
// of @retrace/core in one process see the same hooks.

/** Called with each completed interaction, in the async context of the code that made the request. */
export type InteractionObserver = (interaction: Interaction) => void
/** Decides whether a request may go; returns the refusal, or nothing to let it through. */
export type RequestGate = (request: CapturedRequest) => Error | undefined | Promise<Error | undefined>

interface Hooks {
  observers: InteractionObserver[]
  gate: RequestGate | undefined
}

const HOOKS = Symbol.for('retrace.captureHooks.v1')
const hooks: Hooks = ((globalThis as Record<symbol, unknown>)[HOOKS] as Hooks | undefined) ?? ((globalThis as Record<symbol, unknown>)[HOOKS] = { observers: [], gate: undefined })

/**
 * Watches every completed interaction (recorded, replayed, or observed live). Returns a
 * function that stops watching.
 *
 * @example
 * const seen: string[] = []
 * const stop = addInteractionObserver((interaction) => seen.push(interaction.request.url))
 * notifyInteraction({ request: { method: 'GET', url: 'https://api.example.com/a', headers: {} } })
 * stop()
 * notifyInteraction({ request: { method: 'GET', url: 'https://api.example.com/b', headers: {} } })
 * seen // → ['https://api.example.com/a']
 */
export function addInteractionObserver(observer: InteractionObserver): () => void {
  hooks.observers.push(observer)
  return () => {
    const index = hooks.observers.indexOf(observer)
    if (index >= 0) hooks.observers.splice(index, 1)
  }
}

/**
 * Tells the observers about an interaction; an observer that throws never breaks the request.
 *
 * @example
 * const stop = addInteractionObserver(() => {
 *   throw new Error('an observer bug')
 * })
 * notifyInteraction({ request: { method: 'GET', url: 'https://api.example.com/', headers: {} } }) // does not throw
 * stop()
 */
export function notifyInteraction(interaction: Interaction): void {
  for (const observer of hooks.observers) {
    try {
      observer(interaction)
    } catch {
      // Observers are Retrace's own bookkeeping: a bug there must not reach the agent.
    }
  }
}

/**
 * Installs the gate every captured request passes before it is answered (one at a time: the
 * runtime's enforcement). `undefined` removes it.
 *
 * @example
 * const tooExpensive = (request: { body: unknown }) => String(request.body).includes('"model":"o1-pro"')
 * setRequestGate((request) => (tooExpensive(request) ? new Error('budget') : undefined))
 * admitRequest({ method: 'POST', url: 'https://api.openai.com/v1/responses', headers: {}, body: '{"model":"o1-pro"}' })?.message // → 'budget'
 * setRequestGate(undefined)
 */
export function setRequestGate(gate: RequestGate | undefined): void {
  hooks.gate = gate
}

/**
 * Asks the gate about a request. Returns undefined synchronously when there is no gate, so the
 * replay hot path pays nothing for it.
 *
 * @example
 * const request = { method: 'POST', url: 'https://api.openai.com/v1/responses', headers: {}, body: '{}' }
 * admitRequest(request) // → undefined
 * setRequestGate(async () => new Error('over the run budget'))
 * const refusal = admitRequest(request)
 * const error = refusal instanceof Promise ? await refusal : refusal
 * error?.message // → 'over the run budget'
 * setRequestGate(undefined)
 */
export function admitRequest(request: CapturedRequest): Error | undefined | Promise<Error | undefined> {
  if (!hooks.gate) return undefined
  try {
    return hooks.gate(request)
  } catch {
    return undefined
  }
}
