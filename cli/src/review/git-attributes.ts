/** The `.gitattributes` line that routes cassettes through the retrace diff driver. */
export const CASSETTE_ATTRIBUTE_LINE = '*.cassette.json diff=retrace'

/** The git config key holding the driver's command. */
export const TEXTCONV_CONFIG_KEY = 'diff.retrace.textconv'

/** The git config key of the hunk-header pattern, so `git diff` headers name the step. */
export const FUNCNAME_CONFIG_KEY = 'diff.retrace.xfuncname'

/** Timeline lines that open an entry: `#3 Step 2 · openai gpt-4o-mini …`. */
export const FUNCNAME_PATTERN = '^#[0-9]+ .*$'

/**
 * The textconv command `retrace git-setup` installs by default. `npx --no-install` runs the
 * project's own `retrace` (node_modules/.bin) and otherwise a global install, never
 * downloading anything; git appends the file to convert.
 */
export const DEFAULT_TEXTCONV_COMMAND = 'npx --no-install retrace cassette show --textconv'

/**
 * True when the text already has a line giving `*.cassette.json` the `diff=retrace` attribute.
 *
 * @example
 * hasCassetteAttribute('*.cassette.json diff=retrace\n') // → true
 */
export function hasCassetteAttribute(text: string): boolean {
  return text.split(/\r?\n/).some((line) => {
    const [pattern, ...attributes] = line.trim().split(/\s+/)
    return pattern === '*.cassette.json' && attributes.includes('diff=retrace')
  })
}

/**
 * `.gitattributes` text with the cassette line appended, unless it is there already.
 * Idempotent; keeps everything else as it was.
 *
 * @example
 * addCassetteAttribute('*.png binary') // → { text: '*.png binary\n*.cassette.json diff=retrace\n', changed: true }
 */
export function addCassetteAttribute(text: string): { text: string; changed: boolean } {
  if (hasCassetteAttribute(text)) return { text, changed: false }
  const separator = text === '' || text.endsWith('\n') ? '' : '\n'
  return { text: `${text}${separator}${CASSETTE_ATTRIBUTE_LINE}\n`, changed: true }
}
