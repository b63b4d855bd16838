// Stops the fake provider that jest.global-setup.ts started, if it started one.
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { stopFakeProvider?: () => Promise<void> }).stopFakeProvider?.()
}
