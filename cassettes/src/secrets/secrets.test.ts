import { describe, expect, test } from 'vitest'
import { findSecrets } from './find-secrets.ts'
import { detectSecret, redactSecretStrings } from './secret-patterns.ts'

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
