// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
// Side-effect entry: `import '@retrace/core/setup'` (or list it in Vitest `setupFiles` / Jest
// `setupFiles`) installs interception before any SDK client is constructed, because the
// Stainless SDKs (openai, @anthropic-ai/sdk) keep the `fetch` they find at construction.
import { installInterception } from './capture/install-interception.ts'

installInterception()
