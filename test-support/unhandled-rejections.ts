import { afterAll, afterEach, beforeAll, expect } from 'vitest'

/**
 * Fails the test in which a promise rejection went unhandled anywhere in the process (the SDK
 * promises never to leave one behind), for every test of the calling file.
 *
 * @example
 * failOnUnhandledRejections()
 */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled)
  })
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled)
  })
  afterEach(() => {
    expect(unhandled.splice(0)).toEqual([])
  })
}
