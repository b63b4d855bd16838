/**
 * One extra redaction rule, on top of the defaults (which are always on unless `redact: false`):
 * - `{ header: 'x-my-token' }` replaces that header's value in requests and responses;
 * - `{ queryParam: 'sig' }` replaces that query parameter's value;
 * - `{ path: '$.user.email' }` replaces the value at a JSON path in request and response bodies
 *   (and in each server-sent event's data);
 * - `{ pattern: /acct_[0-9]+/g }` replaces every match in any string.
 * `replacement` defaults to `[REDACTED]`.
 */
export type Redactor =
  | { header: string; replacement?: string }
  | { queryParam: string; replacement?: string }
  | { path: string; replacement?: string }
  | { pattern: RegExp; replacement?: string }

/** Header names whose values are always redacted. */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
  'x-retrace-key',
  'openai-organization',
  'openai-project',
  'x-amz-security-token',
  'x-auth-token',
  'x-access-token',
  'private-token',
  'ocp-apim-subscription-key',
  'x-functions-key',
]

/** Query parameter names whose values are always redacted. */
export const DEFAULT_REDACTED_QUERY_PARAMS: readonly string[] = [
  'key',
  'api_key',
  'apikey',
  'api-key',
  'access_token',
  'token',
  'client_secret',
  'password',
  'secret',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'auth',
  'auth_token',
  'access-token',
  'refresh_token',
  'id_token',
  'private_token',
  'session_token',
  'x-goog-api-key',
  'passwd',
]

export const REDACTED = '[REDACTED]'
