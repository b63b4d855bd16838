import { expect, test } from 'vitest'
import { requestKey, compileMatchOptions, type Interaction } from '@retrace/cassettes'
import { toRecordedRequest } from '../capture/captured-request.ts'
import { createRedactor } from './redactor.ts'

// Built at run time: a secret-shaped literal is never committed.
const STRIPE = 'sk' + '_live_' + 'FakeK3y0123456789abcdefXYZ'
const OPAQUE = '9f86d081884c7d659a2feaa0c55ad015'

const captured = () => ({
  method: 'POST',
  url: `https://api.example.com/v1/run?private_token=${OPAQUE}&page=2`,
  headers: { 'content-type': 'application/json', 'x-auth-token': OPAQUE, authorization: `Bearer ${STRIPE}` },
  body: JSON.stringify({ api_key: OPAQUE, password: 'hunter22', prompt: `use ${STRIPE}`, note: 'Use Bearer authentication' }),
})

test('a live request and its stored copy give the same match key (the stored copy is redacted again on load)', () => {
  const match = compileMatchOptions({})
  const live = toRecordedRequest(captured(), createRedactor())
  const reloaded = createRedactor().request(JSON.parse(JSON.stringify(live)))
  expect(requestKey(reloaded, match)).toBe(requestKey(live, match))
  const stored = JSON.stringify(live)
  expect(stored).not.toContain(OPAQUE)
  expect(stored).not.toContain(STRIPE)
  expect(stored).not.toContain('hunter22')
  expect(stored).toContain('Use Bearer authentication')
  expect(live.url).toBe('https://api.example.com/v1/run?private_token=[REDACTED]&page=2')
})

test('a secret learned from a request is masked where a response echoes it, in a field no rule would flag', () => {
  const redaction = createRedactor()
  const request = toRecordedRequest(captured(), redaction)
  const interaction: Interaction = {
    request,
    response: { status: 200, headers: { 'x-echo': OPAQUE }, body: { json: { echoed: `you sent ${OPAQUE}` } } },
  }
  const written = JSON.stringify(redaction.interaction(interaction))
  expect(written).not.toContain(OPAQUE)
  expect(written).toContain('you sent [REDACTED:credential]')
})

test('path rules still apply, never to the caller value; redact: false changes nothing', () => {
  const body = { json: { user: { email: 'ada@example.com' }, key: STRIPE } }
  const redacted = createRedactor([{ path: '$.user.email' }]).body(body)
  expect(redacted).toEqual({ json: { user: { email: '[REDACTED]' }, key: '[REDACTED:stripe-key]' } })
  expect(body.json.user.email).toBe('ada@example.com')
  expect(createRedactor(false).body(body)).toBe(body)
})
