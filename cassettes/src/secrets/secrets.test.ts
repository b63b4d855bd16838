import { describe, expect, test } from 'vitest'
import { LOOK_ALIKES, SECRET_SHAPES } from '../../../test-support/secret-corpus.ts'
import { findSecrets } from './find-secrets.ts'
import { maskSecrets } from './mask-secrets.ts'
import { findSecretRanges, maskSecretText, needsSecretlint } from './scan-text.ts'
import { detectSecret, redactSecretStrings } from './secret-patterns.ts'
import { secretlintRanges } from './secretlint-rules.ts'

// Built at run time so no secret-shaped literal sits in the repository.
const openai = 'sk-' + 'proj-' + 'A'.repeat(24) + 'b'.repeat(24)
const anthropic = 'sk-' + 'ant-api03-' + 'x'.repeat(40)
const google = 'AI' + 'za' + 'S'.repeat(35)

describe('secret patterns', () => {
  test.each([
    [openai, 'openai-key'],
    [anthropic, 'anthropic-key'],
    [google, 'google-api-key'],
    ['Bearer ' + 'abc123'.repeat(4), 'bearer-token'],
    ['AK' + 'IA' + 'ABCDEFGHIJKLMNOP', 'aws-access-key'],
    ['gh' + 'p_' + 'a'.repeat(36), 'github-token'],
  ])('detects %s as %s', (text, kind) => {
    expect(detectSecret(`prefix ${text} suffix`)).toBe(kind)
  })

  test('does not fire inside ordinary words', () => {
    expect(detectSecret('task-' + 'abcdefghijklmnopqrstuvwxyz')).toBeUndefined()
    expect(detectSecret('The skies are clear over Paris today.')).toBeUndefined()
  })

  test('redaction keeps the surrounding text and the bearer scheme', () => {
    expect(redactSecretStrings(`key=${openai}&x=1`)).toBe('key=[REDACTED:openai-key]&x=1')
    expect(redactSecretStrings('Bearer ' + 'abc123'.repeat(4))).toBe('Bearer [REDACTED:bearer-token]')
    const clean = 'nothing to see'
    expect(redactSecretStrings(clean)).toBe(clean)
  })

  test('redacted output is not itself secret-shaped (idempotent)', () => {
    const once = redactSecretStrings(`${anthropic} ${google}`)
    expect(redactSecretStrings(once)).toBe(once)
    expect(detectSecret(once)).toBeUndefined()
  })
})

test('findSecrets reports JSON paths, including keys, without repeating a secret used as a key', () => {
  const findings = findSecrets({ a: [{ b: `token ${openai}` }], [google]: { nested: 1 }, safe: 'ok' })
  expect(findings).toEqual([
    { path: '$.a[0].b', kind: 'openai-key' },
    { path: "$['[REDACTED:google-api-key]']", kind: 'google-api-key' },
  ])
  expect(JSON.stringify(findings)).not.toContain(google)
})

describe('the shared rule set (secretlint preset, extra shapes, context checks)', () => {
  test('every corpus shape is found in its prose form, and masking twice changes nothing', () => {
    for (const shape of SECRET_SHAPES) {
      const once = maskSecretText(shape.text)
      expect(once, shape.name).not.toContain(shape.value)
      expect(maskSecretText(once), shape.name).toBe(once)
      expect(findSecretRanges(once), shape.name).toEqual([])
    }
  })

  test('the gate in front of secretlint lets through every string a secretlint rule fires on', () => {
    const probes = [...SECRET_SHAPES.map((shape) => shape.text), ...LOOK_ALIKES]
    const fired = probes.filter((text) => secretlintRanges(text).length > 0)
    expect(fired.length).toBeGreaterThan(10)
    for (const text of fired) expect(needsSecretlint(text), text).toBe(true)
  })

  test('harmless look-alikes are left as they are', () => {
    for (const text of LOOK_ALIKES) expect(maskSecretText(text)).toBe(text)
  })

  test('a credential-named field is judged by its name: opaque values go, words and placeholders stay', () => {
    const hex = '9f86d081884c7d659a2feaa0c55ad015'
    const { value } = maskSecrets({ access_token: hex, token: 'Hello', password: 'hunter22', api_key: '${OPENAI_API_KEY}', max_tokens: 'none', headers: { 'x-auth-token': hex } })
    expect(value).toEqual({ access_token: '[REDACTED:credential]', token: 'Hello', password: '[REDACTED:credential]', api_key: '${OPENAI_API_KEY}', max_tokens: 'none', headers: { 'x-auth-token': '[REDACTED:credential]' } })
  })

  test('a key split over streamed deltas is masked in every delta, and the deltas still add up to the masked text', () => {
    const key = SECRET_SHAPES.find((shape) => shape.name === 'stripe secret key')!.value
    const text = `your key: ${key} - keep it safe`
    const pieces = text.match(/.{1,5}/gs)!
    const sse = pieces.map((content, t) => ({ t, data: { choices: [{ index: 0, delta: { content } }] } }))
    const { value, findings } = maskSecrets({ sse })
    const deltas = (value as { sse: typeof sse }).sse.map((event) => event.data.choices[0]!.delta.content)
    expect(deltas.join('')).toBe(maskSecretText(text))
    for (const delta of deltas) for (let i = 0; i + 6 <= key.length; i++) expect(delta).not.toContain(key.slice(i, i + 6))
    expect(findings).toHaveLength(1)
    expect(findings[0]!.path).toMatch(/^\$\.sse\[\d+\]\.data\.choices\[0\]\.delta\.content$/)
    // A user's pattern works across deltas too.
    const account = maskSecrets({ sse: 'acct_1234567890'.match(/.{1,4}/g)!.map((content, t) => ({ t, data: { delta: { text: content }, index: 0, type: 'content_block_delta' } })) }, { patterns: [{ pattern: /acct_\d+/g, replacement: '<acct>' }] })
    expect(JSON.stringify(account.value)).not.toContain('5678')
  })

  test('known secrets (learned elsewhere in a recording) are masked wherever they reappear', () => {
    const opaque = 'Zq7Lw2Xp9Rt4Vn6B'
    const { value } = maskSecrets({ echoed: `token was ${opaque}.` }, { known: new Map([[opaque, 'credential']]) })
    expect(value).toEqual({ echoed: 'token was [REDACTED:credential].' })
  })

  test('secrets used as keys are masked; `__proto__` keys stay own properties; 10,000 levels of nesting do not overflow', () => {
    const google = 'AI' + 'za' + 'S'.repeat(35)
    const masked = maskSecrets(JSON.parse(`{"__proto__": {"a": 1}, "${google}": true}`)).value as Record<string, unknown>
    expect(Object.keys(masked)).toEqual(['__proto__', '[REDACTED:google-api-key]'])
    let deep: unknown = { stripe: SECRET_SHAPES.find((shape) => shape.name === 'stripe secret key')!.value }
    for (let i = 0; i < 10_000; i++) deep = [deep]
    const result = maskSecrets(deep)
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]!.path.endsWith('[0].stripe')).toBe(true)
  })
})
