import { RetraceError } from './retrace-error.ts'

/** One secret-shaped string found in a cassette. The secret itself is never kept. */
export interface SecretFinding {
  /** JSON path inside the cassette, e.g. `$.interactions[0].request.headers.authorization`. */
  path: string
  /** Which rule matched, e.g. `openai-key`. */
  kind: string
}

/**
 * Refusal to write a cassette that still holds a secret-shaped string after redaction.
 * Nothing is written: the previous file on disk (if any) is left untouched.
 *
 * @example
 * import { mkdtempSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { writeCassetteFile } from '@retrace/cassettes'
 * const file = join(mkdtempSync(join(tmpdir(), 'cassettes-')), 'agent.cassette.json')
 * const leaky = { version: 1 as const, interactions: [{ request: { method: 'GET', url: 'https://api.example.com/', headers: { 'x-debug': 'sk-proj-' + 'a'.repeat(40) } } }] }
 * const error = await writeCassetteFile(file, leaky).catch((thrown: unknown) => thrown)
 * error instanceof CassetteSecretError && error.findings // → [{ path: "$.interactions[0].request.headers['x-debug']", kind: 'openai-key' }]
 */
export class CassetteSecretError extends RetraceError {
  readonly file: string
  readonly findings: SecretFinding[]

  constructor(file: string, findings: SecretFinding[]) {
    const list = findings.slice(0, 10).map((f) => `  ${f.path} (${f.kind})`).join('\n')
    const more = findings.length > 10 ? `\n  … and ${findings.length - 10} more` : ''
    super('RETRACE_CASSETTE_SECRET', `Refusing to write ${file}: it still contains ${findings.length} secret-shaped value(s) at:\n${list}${more}`, {
      hint: 'Add a redactor for these paths (the `redact` option: { path: "$.…" }, { header: "…" } or { pattern: /…/ }), then record again. Nothing was written.',
    })
    this.file = file
    this.findings = findings
  }
}
