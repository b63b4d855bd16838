import { describe, expect, test } from 'vitest'
import { findSecrets, serializeCassette } from '@retrace/cassettes'
import { finishImport } from '../../src/interop/finish-import.ts'

// Built at run time so no secret-shaped literal is committed.
const key = 'sk-' + 'proj-' + 'T3st'.repeat(12)

describe('finishImport', () => {
  test('redacts like a recording, adds the LLM step, orders keys like the schema', () => {
    const cassette = finishImport(
      {
        version: 1,
        interactions: [
          {
            timing: { latencyMs: 5 },
            response: { body: { json: { choices: [{ index: 0, message: { role: 'assistant', content: `echo ${key}` }, finish_reason: 'stop' }] } }, headers: { 'set-cookie': 'session=abc' }, status: 200 },
            request: {
              body: { json: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `my key is ${key}` }] } },
              headers: { authorization: `Bearer ${key}` },
              url: `https://api.openai.com/v1/chat/completions?api_key=${key}`,
              method: 'POST',
            },
          },
        ],
      },
      'har',
    )
    expect(findSecrets(cassette)).toEqual([])
    expect(serializeCassette(cassette)).not.toContain(key)
    const [interaction] = cassette.interactions
    expect(interaction!.request.headers).toEqual({ authorization: '[REDACTED]' })
    expect(interaction!.response!.headers).toEqual({ 'set-cookie': '[REDACTED]' })
    expect(interaction!.request.url).toBe('https://api.openai.com/v1/chat/completions?api_key=[REDACTED]')
    expect(Object.keys(interaction!)).toEqual(['request', 'response', 'step', 'timing'])
    expect(Object.keys(interaction!.request)).toEqual(['method', 'url', 'headers', 'body'])
    expect(interaction!.step).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', output: [{ type: 'text', content: expect.stringContaining('[REDACTED') }] })
    expect(cassette.meta?.recorder).toMatch(/^@retrace\/cli .* \(retrace import har\)$/)
  })

  test('keeps the recorder of a cassette that came back from its own HAR', () => {
    expect(finishImport({ version: 1, meta: { recorder: '@retrace/core 0.1.0' }, interactions: [] }, 'har').meta).toEqual({ recorder: '@retrace/core 0.1.0' })
  })
})
