// Jest's counterpart of the Vitest globalSetup in ../fake-provider-setup.ts. Jest shares
// globalThis between globalSetup and globalTeardown: the stop function waits there.
import type { GlobalConfig } from 'jest'
import { isRecording, useProviders } from '../fake-provider-setup.ts'

export default async function globalSetup(config: GlobalConfig): Promise<void> {
  const stop = await useProviders({ record: isRecording(config.updateSnapshot === 'all') })
  Object.assign(globalThis, { stopFakeProvider: stop })
}
