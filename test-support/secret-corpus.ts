// Fake credentials in the shapes real ones have, and harmless strings that look like them.
// Every secret is built at run time from pieces, so no secret-shaped literal sits in the
// repository; each one is obviously fake ("Fake", "FAKE", a fixed generator) yet keeps its
// provider's prefix, alphabet and length.

/** A fake secret, how it is written in free text, and where it goes in structured places. */
export interface SecretShape {
  name: string
  /** The secret itself: this exact string must never reach a cassette, a journal or the wire. */
  value: string
  /** How it appears in prose (a context shape needs its name beside it: `access_token=…`). */
  text: string
  /** A JSON field name for it: neutral for self-identifying shapes, credential-named for context shapes. */
  field: string
  /** A header name for it, same idea. */
  header: string
  /** A query parameter name for it. */
  param: string
  /** False when it cannot travel in a header value (a multi-line PEM block). */
  singleLine: boolean
}

// A fixed generator (mulberry32), so the corpus is the same on every run.
function generator(seed: number): (count: number, alphabet?: string) => string {
  let state = seed
  const next = () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return (count, alphabet = ALNUM) => Array.from({ length: count }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const HEX = '0123456789abcdef'
const BASE64 = `${ALNUM}+/`
const random = generator(20_260_517)
const fake = (count: number, alphabet = ALNUM) => `Fake${random(count - 4, alphabet)}`
const base64url = (text: string) => Buffer.from(text).toString('base64url')

const self = (name: string, value: string): SecretShape => ({
  name,
  value,
  text: `Here is the value: ${value} (keep it out of logs)`,
  field: 'config_value',
  header: 'x-debug-note',
  param: 'note',
  singleLine: !value.includes('\n'),
})

const inContext = (name: string, value: string, label: string, field: string, param: string): SecretShape => ({
  name,
  value,
  text: `${label}=${value}`,
  field,
  header: 'x-auth-token',
  param,
  singleLine: true,
})

const pemBody = `MIIEowIBAAKCAQEA${fake(60, BASE64)}\n${random(64, BASE64)}\n${random(64, BASE64)}\n${random(40, BASE64)}==`

/** 30 shapes: provider keys and tokens, and the opaque ones only their position gives away. */
export const SECRET_SHAPES: readonly SecretShape[] = [
  self('openai project key', 'sk-' + 'proj-' + fake(48)),
  self('openai legacy key', 'sk-' + fake(48)),
  self('anthropic key', 'sk-' + 'ant-' + 'api03-' + fake(93) + 'AA'),
  self('google api key', 'AI' + 'za' + 'SyFake' + random(29, `${ALNUM}_-`)),
  self('google oauth token', 'ya29' + '.a0Fake' + random(80, `${ALNUM}_-`)),
  self('stripe secret key', 'sk' + '_live_' + fake(24)),
  self('stripe restricted key', 'rk' + '_live_' + fake(30)),
  self('jwt', `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url('{"sub":"fake-user-0001","iat":1700000000}')}.${random(43, `${ALNUM}_-`)}`),
  self('pem private key', `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----`),
  self('aws access key id', 'AK' + 'IA' + 'FAKE' + random(12, UPPER_DIGITS)),
  self('aws session token', 'IQoJb3JpZ2lu' + 'X2VjEFake' + random(180, BASE64)),
  self('github classic token', 'gh' + 'p_' + fake(36)),
  self('github fine-grained token', 'github' + '_pat_' + fake(82, `${ALNUM}_`)),
  self('gitlab token', 'gl' + 'pat-' + fake(20)),
  self('slack bot token', 'xo' + 'xb-' + random(12, '0123456789') + '-' + random(12, '0123456789') + '-' + fake(24)),
  self('slack webhook', 'https://hooks.slack.com/services/' + 'T' + random(10, UPPER_DIGITS) + '/B' + random(10, UPPER_DIGITS) + '/' + fake(24)),
  self('hugging face token', 'hf' + '_' + fake(34, LETTERS)),
  self('groq key', 'gs' + 'k_' + fake(52)),
  self('npm token', 'np' + 'm_' + fake(36)),
  self('sendgrid key', 'SG' + '.' + fake(22) + '.' + random(43, `${ALNUM}_-`)),
  self('azure ad client secret', random(3, ALNUM) + '8Q~' + fake(34, `${ALNUM}_~.-`)),
  self('base64 of a key', Buffer.from('sk' + '_live_' + fake(24)).toString('base64')),
  self('retrace key', 'rt' + '_live_' + fake(24)),
  self('url with credentials', 'https://deploy:' + fake(20) + '@registry.example.com/simple'),
  self('postgres url with password', 'postgres://app:' + fake(18) + '@db.example.com:5432/app'),
  self('databricks token', 'dapi' + random(32, HEX)),
  inContext('aws secret access key', random(40, BASE64), 'aws_secret_access_key', 'aws_secret_access_key', 'x-amz-security-token'),
  inContext('hex token (40)', random(40, HEX), 'access_token', 'access_token', 'auth'),
  inContext('hex token (32)', random(32, HEX), 'api_key', 'api_key', 'private_token'),
  inContext('azure storage account key', random(86, BASE64) + '==', 'AccountKey', 'account_key', 'x-goog-api-key'),
]

/**
 * 48 strings that look like secrets (or talk about them) and are not: they must reach a
 * cassette and come back from replay exactly as the live run saw them.
 */
export const LOOK_ALIKES: readonly string[] = [
  'Use Bearer authentication',
  // Split so the repository's own secret grep does not read these as keys.
  'sk' + '-learn-compatible-estimator-interface',
  '@scope/sk' + '-pipeline-orchestration-toolkit',
  'ta' + 'sk' + '-abcdefghijklmnopqrstuvwxyz0123',
  'Set the Authorization header to Bearer <token>',
  'password: required',
  'Your password must be at least 12 characters long.',
  'The API key is read from the OPENAI_API_KEY environment variable.',
  'export OPENAI_API_KEY=${OPENAI_API_KEY}',
  'api_key: YOUR_API_KEY',
  'commit 3f2a9c1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a fixed the build',
  'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'chatcmpl-AbCdEf0123456789xyzXYZ',
  'call_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2',
  'msg_01XFDUDYJgAACzvnptvVoYEL',
  'toolu_01A09q90qw90lq917835lq9',
  '550e8400-e29b-41d4-a716-446655440000',
  'max_tokens=4096',
  'The token limit was reached; try a shorter prompt.',
  'Basic authentication is deprecated in favour of OAuth.',
  'https://docs.example.com/guides/authentication#bearer-tokens',
  'hf_transfer speeds up downloads',
  'npm_config_registry is read from .npmrc',
  'Take exit SG.North at the roundabout',
  'ya29 is the prefix Google uses for OAuth access tokens',
  'eyJ is how base64-encoded JSON starts',
  '-----BEGIN PUBLIC KEY-----',
  'AKIA is the prefix of AWS access key ids',
  'ghp_ prefixes a GitHub personal token',
  'rk_live and sk_live are Stripe key prefixes',
  'The secret is patience.',
  'state-of-the-art retrieval-augmented-generation pipeline',
  'internationalization and localization',
  'C:\\Users\\dev\\AppData\\Local\\Programs',
  '/usr/local/lib/node_modules/@retrace/core/dist/index.js',
  'postgres://localhost:5432/app',
  'Token usage: 1234 input, 567 output',
  'key: value',
  'The session token expires after 30 minutes.',
  'The x-api-key header is required.',
  'Prefix secret keys with sk- and publishable keys with pk-',
  'SGVsbG8sIHdvcmxkISBIb3cgYXJlIHlvdSB0b2RheT8=',
  'TaskQueue-Worker-0001-Alpha-Beta',
  'gpt-4o-mini-2024-07-18',
  'claude-3-5-sonnet-20241022',
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'Request cannot be constructed from a URL that includes credentials: see the docs.',
  'user@example.com wrote: thanks for the token of appreciation!',
]
