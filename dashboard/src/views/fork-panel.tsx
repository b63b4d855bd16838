import { useState } from 'preact/hooks'
import { api, errorText } from '../api/api-client.ts'
import type { Fork, ForkEstimate, Sensitivity, SpanNode, Sweep } from '../api/api-types.ts'
import { Notice } from '../components/notice.tsx'
import { formatCount, formatUsd } from '../model/format.ts'
import { forkInputDraft, parseForkInput, type ForkInputDraft } from '../model/fork-input.ts'
import { navigate } from '../state/router.ts'
import type { WorkspaceTrace } from './trace-workspace.tsx'

interface VariantDraft {
  label: string
  text: string
}

/**
 * Fork from the current span: edit the run's input inline, estimate what the fork costs,
 * replay it (the fork's page then streams it in and opens the diff when it ends), or launch
 * a sweep of variants or a sensitivity analysis from the same point.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * const trace = {
 *   id: 't1', name: 'weather-agent', sessionId: null, status: 'completed' as const, startedAt: '1970-01-01T00:00:00.000Z', endedAt: '1970-01-01T00:00:00.900Z',
 *   tags: [], hasError: false, lossy: false, droppedEvents: null, terminatedEarly: false, truncated: false, resumable: true, forkOf: null, forkPointStep: null, forkId: null,
 *   source: 'sdk' as const, git: null, input: ['Weather in Paris?'], output: 'Sunny, 21 °C.', error: null, metadata: null,
 *   totals: { inputTokens: 12, outputTokens: 6, usd: 0.0000054, durationMs: 900, spans: 3, llmCalls: 1, errors: 0 },
 * }
 * const span = { id: 'sp_1', traceId: 't1', kind: 'agent' as const, name: 'weather-agent', startedAt: '1970-01-01T00:00:00.000Z', endedAt: '1970-01-01T00:00:00.900Z', durationMs: 900, status: 'ok' as const, children: [] }
 * const html = renderToString(<ForkPanel trace={trace} span={span} onClose={() => {}} />)
 * html.includes('<h2 id="fork-title" class="section-title">Fork from “weather-agent”</h2>') // → true
 * // The run was called with one string: the editor starts from it, as text.
 * html.includes('>Weather in Paris?</textarea>') // → true
 */
export function ForkPanel({ trace, span, onClose }: { trace: WorkspaceTrace; span: SpanNode; onClose(): void }) {
  const [draft, setDraft] = useState<ForkInputDraft>(() => forkInputDraft(trace.input, span))
  const [forkId, setForkId] = useState<string | undefined>()
  const [forkedInput, setForkedInput] = useState<string | undefined>()
  const [estimate, setEstimate] = useState<ForkEstimate | undefined>()
  // A pushed cassette is named after its test: the function its worker registers must be named.
  const [functionName, setFunctionName] = useState('')
  const [failure, setFailure] = useState<string | undefined>()
  const [busy, setBusy] = useState<string | undefined>()
  const [mode, setMode] = useState<'fork' | 'sweep' | 'sensitivity'>('fork')
  const [variants, setVariants] = useState<VariantDraft[]>(() => [{ label: 'variant 1', text: draft.text }, { label: 'variant 2', text: '' }])
  const [k, setK] = useState(8)
  const [seed, setSeed] = useState(1)
  const input = parseForkInput(draft)

  const run = async (what: string, work: () => Promise<void>) => {
    setBusy(what)
    setFailure(undefined)
    try {
      await work()
    } catch (error) {
      setFailure(errorText(error))
    } finally {
      setBusy(undefined)
    }
  }
  const target = () => (functionName.trim() ? { function: functionName.trim() } : {})
  /** The fork for the text as it is now: made once per edited input. */
  const ensureFork = async (): Promise<string> => {
    if (!input.ok) throw new Error(input.message)
    if (forkId && forkedInput === draft.text) return forkId
    const fork = await api<Fork>('/api/v1/forks', { method: 'POST', body: { trace_id: trace.id, fork_point_span_id: span.id, modified_input: input.value, ...target() } })
    setForkId(fork.id)
    setForkedInput(draft.text)
    return fork.id
  }
  const doEstimate = () =>
    run('estimate', async () => {
      const id = await ensureFork()
      setEstimate(await api<ForkEstimate>(`/api/v1/forks/${encodeURIComponent(id)}/estimate`))
    })
  const doReplay = () =>
    run('replay', async () => {
      const id = await ensureFork()
      await api(`/api/v1/forks/${encodeURIComponent(id)}/replay`, { method: 'POST', body: {} })
      navigate(`/forks/${encodeURIComponent(id)}`)
    })
  const doSweep = () =>
    run('sweep', async () => {
      const parsed = variants.map((variant) => ({ label: variant.label.trim(), input: parseForkInput({ text: variant.text, mode: draft.mode }) }))
      const bad = parsed.find((variant) => !variant.input.ok || !variant.label)
      if (bad) throw new Error(!bad.label ? 'Every variant needs a label.' : `${bad.label}: ${(bad.input as { message: string }).message}`)
      const sweep = await api<Sweep>('/api/v1/forks/sweep', { method: 'POST', body: { trace_id: trace.id, fork_point_span_id: span.id, variants: parsed.map((variant) => ({ label: variant.label, modified_input: (variant.input as { value: unknown }).value })), ...target() } })
      navigate(`/sweeps/${encodeURIComponent(sweep.id)}`)
    })
  const doSensitivity = () =>
    run('sensitivity', async () => {
      const analysis = await api<Sensitivity>('/api/v1/forks/sensitivity', { method: 'POST', body: { trace_id: trace.id, fork_point_span_id: span.id, k, seed, ...target() } })
      navigate(`/sensitivity/${encodeURIComponent(analysis.id)}`)
    })

  return (
    <section class="fork-panel card" aria-labelledby="fork-title">
      <div class="span-head">
        <h2 id="fork-title" class="section-title">Fork from “{span.name}”</h2>
        <button type="button" class="button subtle small" onClick={onClose}>Close</button>
      </div>
      <div class="segmented" role="group" aria-label="What to run">
        <button type="button" aria-pressed={mode === 'fork'} onClick={() => setMode('fork')}>One fork</button>
        <button type="button" aria-pressed={mode === 'sweep'} onClick={() => setMode('sweep')}>Sweep variants</button>
        <button type="button" aria-pressed={mode === 'sensitivity'} onClick={() => setMode('sensitivity')}>Sensitivity</button>
      </div>
      <p class="small muted">
        Steps before this one are served from the recording (no provider call); this step and everything after it run again with the new input, in the process that registered <code>{trace.name}</code> (<code>record({'{'} resumable: true {'}'})</code> or <code>retrace worker</code>).
      </p>
      {trace.source === 'cassette' && (
        <div class="inline-form">
          <label for="fork-function">Function to re-run</label>
          <input id="fork-function" type="text" placeholder="the name your worker registers" value={functionName} onInput={(event) => setFunctionName(event.currentTarget.value)} />
        </div>
      )}
      {mode !== 'sensitivity' && (
        <>
          <div class="stack">
            <label for="fork-input">{mode === 'sweep' ? 'Input of the first variant' : 'New input'} <span class="muted small">({draft.mode === 'json' ? 'JSON: replaces the arguments' : 'text: replaces the first argument'})</span></label>
            <textarea
              id="fork-input"
              class="code"
              rows={Math.min(12, Math.max(3, draft.text.split('\n').length + 1))}
              value={mode === 'sweep' ? variants[0]?.text : draft.text}
              onInput={(event) => {
                const text = event.currentTarget.value
                if (mode === 'sweep') setVariants(variants.map((variant, index) => (index === 0 ? { ...variant, text } : variant)))
                else setDraft({ ...draft, text })
              }}
            />
            <label class="checkbox">
              <input type="checkbox" checked={draft.mode === 'json'} onChange={(event) => setDraft({ ...draft, mode: event.currentTarget.checked ? 'json' : 'text' })} />
              Send as JSON
            </label>
            {!input.ok && mode === 'fork' && <Notice tone="error">{input.message}</Notice>}
          </div>
        </>
      )}
      {mode === 'fork' && (
        <>
          <div class="inline-form">
            <button type="button" class="button" onClick={() => void doEstimate()} disabled={!!busy || !input.ok}>{busy === 'estimate' ? 'Estimating…' : 'Estimate cost'}</button>
            <button type="button" class="button primary" onClick={() => void doReplay()} disabled={!!busy || !input.ok}>{busy === 'replay' ? 'Starting…' : 'Replay fork'}</button>
          </div>
          {estimate && <EstimateTable estimate={estimate} />}
        </>
      )}
      {mode === 'sweep' && (
        <>
          <ol class="variants">
            {variants.map((variant, index) => (
              <li key={index} class="variant-row">
                <label for={`variant-label-${index}`}>Label</label>
                <input id={`variant-label-${index}`} type="text" value={variant.label} onInput={(event) => setVariants(variants.map((item, at) => (at === index ? { ...item, label: event.currentTarget.value } : item)))} />
                {index > 0 && (
                  <>
                    <label for={`variant-input-${index}`}>Input</label>
                    <textarea id={`variant-input-${index}`} class="code" rows={2} value={variant.text} onInput={(event) => setVariants(variants.map((item, at) => (at === index ? { ...item, text: event.currentTarget.value } : item)))} />
                    <button type="button" class="button subtle small" onClick={() => setVariants(variants.filter((_, at) => at !== index))} aria-label={`Remove ${variant.label || `variant ${index + 1}`}`}>Remove</button>
                  </>
                )}
              </li>
            ))}
          </ol>
          <div class="inline-form">
            <button type="button" class="button subtle" onClick={() => setVariants([...variants, { label: `variant ${variants.length + 1}`, text: '' }])}>Add a variant</button>
            <button type="button" class="button primary" onClick={() => void doSweep()} disabled={!!busy}>{busy === 'sweep' ? 'Launching…' : `Run ${variants.length} variants`}</button>
          </div>
          <p class="small muted">At most 3 variants run at once (the server’s default concurrency); progress is checkpointed, so a restart resumes the sweep.</p>
        </>
      )}
      {mode === 'sensitivity' && (
        <>
          <p class="small">Generates deterministic perturbations of this step’s input (typos, case and whitespace, word order, paraphrases, changed numbers, a dropped sentence, added emphasis), runs them as a sweep, and reports which step the outcome hinges on.</p>
          <div class="inline-form">
            <label for="sensitivity-k">Perturbations</label>
            <input id="sensitivity-k" type="number" min={2} max={100} value={k} onInput={(event) => setK(Number(event.currentTarget.value))} />
            <label for="sensitivity-seed">Seed</label>
            <input id="sensitivity-seed" type="number" min={0} value={seed} onInput={(event) => setSeed(Number(event.currentTarget.value))} />
            <button type="button" class="button primary" onClick={() => void doSensitivity()} disabled={!!busy || !(k >= 2)}>{busy === 'sensitivity' ? 'Launching…' : 'Analyse sensitivity'}</button>
          </div>
        </>
      )}
      {failure && <Notice tone="error">{failure}</Notice>}
    </section>
  )
}

const TREATMENTS: Record<ForkEstimate['steps'][number]['treatment'], string> = {
  recording: 'served from the recording',
  semantic_cache: 'semantic cache (an earlier identical fork)',
  compressed: 'live, context compressed',
  live: 'live',
}

/**
 * Naive vs optimized cost of a fork, per step, with the savings and the assumptions.
 *
 * @example
 * import { renderToString } from 'preact-render-to-string'
 * // `GET /api/v1/forks/:id/estimate`:
 * const estimate = {
 *   fork_id: 'fk_1', fork_point_step: 2, full_rerun_usd: 0.0021, naive_usd: 0.0014, optimized_usd: 0.0009, savings_usd: 0.0005, savings_pct: 35.7,
 *   savings: { differential_replay_usd: 0, semantic_cache_usd: 0.0005, context_compression_usd: 0 },
 *   steps: [
 *     { step: 2, span_id: 'sp_2', model: 'gpt-4o-mini', input_tokens: 900, output_tokens: 40, treatment: 'semantic_cache' as const, naive_usd: 0.0005, optimized_usd: 0 },
 *     { step: 3, span_id: 'sp_3', model: 'gpt-4o-mini', input_tokens: 1200, output_tokens: 80, treatment: 'live' as const, naive_usd: 0.0009, optimized_usd: 0.0009 },
 *   ],
 *   assumptions: ['Prices of gpt-4o-mini from the price table.'],
 * }
 * const html = renderToString(<EstimateTable estimate={estimate} />)
 * html.includes('<dd data-testid="naive-usd">$0.0014</dd>') // → true
 * html.includes('<dd>$0.0005 (36%)</dd>') // → true
 * html.includes('<td>semantic cache (an earlier identical fork)</td>') // → true
 */
export function EstimateTable({ estimate }: { estimate: ForkEstimate }) {
  return (
    <div class="estimate" data-testid="estimate">
      <dl class="facts">
        <div><dt>Naive (from the fork on, live)</dt><dd data-testid="naive-usd">{formatUsd(estimate.naive_usd)}</dd></div>
        <div><dt>Optimized</dt><dd data-testid="optimized-usd">{formatUsd(estimate.optimized_usd)}</dd></div>
        <div><dt>Savings</dt><dd>{formatUsd(estimate.savings_usd)} ({estimate.savings_pct.toFixed(0)}%)</dd></div>
        <div><dt>Whole run again</dt><dd>{formatUsd(estimate.full_rerun_usd)}</dd></div>
      </dl>
      <table class="table compact">
        <caption class="visually-hidden">Cost per step</caption>
        <thead>
          <tr><th scope="col">Step</th><th scope="col" class="num">Tokens in / out</th><th scope="col" class="num">Naive</th><th scope="col" class="num">Optimized</th><th scope="col">How</th></tr>
        </thead>
        <tbody>
          {estimate.steps.map((step) => (
            <tr key={step.step}>
              <td>{step.step}{step.model ? <span class="muted small"> · {step.model}</span> : null}</td>
              <td class="num">{formatCount(step.input_tokens)} / {formatCount(step.output_tokens)}</td>
              <td class="num">{formatUsd(step.naive_usd)}</td>
              <td class="num">{formatUsd(step.optimized_usd)}</td>
              <td>{TREATMENTS[step.treatment] ?? step.treatment}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details class="more">
        <summary>Assumptions</summary>
        <ul>{estimate.assumptions.map((item, index) => <li key={index}>{item}</li>)}</ul>
      </details>
    </div>
  )
}
