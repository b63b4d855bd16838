const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/**
 * Builds a test for hosts named in `allowHosts` / `ignoreHosts`: an exact host name, a
 * `host:port`, a `*.example.com` suffix, or a RegExp tested against `host:port`. `localhost`
 * also covers 127.0.0.1 and ::1.
 *
 * @example
 * const allowed = hostMatcher(['localhost', '*.internal'])
 * allowed(new URL('http://127.0.0.1:8080/x')) // true
 */
export function hostMatcher(patterns: ReadonlyArray<string | RegExp> = []): (url: URL) => boolean {
  if (patterns.length === 0) return () => false
  return (url) => {
    const hostname = url.hostname.toLowerCase()
    for (const pattern of patterns) {
      if (pattern instanceof RegExp) {
        pattern.lastIndex = 0
        if (pattern.test(url.host)) return true
        continue
      }
      const wanted = pattern.toLowerCase()
      if (wanted === hostname || wanted === url.host.toLowerCase()) return true
      if (wanted.startsWith('*.') && hostname.endsWith(wanted.slice(1))) return true
      if (wanted === 'localhost' && LOOPBACK.has(hostname)) return true
    }
    return false
  }
}
