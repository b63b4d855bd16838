// Side-effect entry: `import '@retrace/core/setup'` (or list it in Vitest `setupFiles` / Jest
// `setupFiles`) installs interception before any SDK client is constructed, because the
// Stainless SDKs (openai, @anthropic-ai/sdk) keep the `fetch` they find at construction.
import { installInterception } from './capture/install-interception.ts'

installInterception()
