/**
 * The error `run` throws, checked to be a `type`; anything else (another error, or nothing
 * thrown) fails the test. For asserting on a typed error's fields (`field`, `file`, `hint`).
 *
 * @example
 * const error = thrownBy(() => JSON.parse('{'), SyntaxError)
 * error.name // → 'SyntaxError'
 */
export function thrownBy<E extends Error>(run: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    run()
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected a ${type.name} to be thrown`)
}
