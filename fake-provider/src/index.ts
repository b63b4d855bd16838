// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
export { startFakeProvider } from './server.ts'
export type {
  FakeProvider,
  FakeProviderKind,
  FakeProviderOptions,
  FakeProviderRequest,
  FakeReply,
  FakeResponder,
  FakeToolCall,
  FakeUsage,
  LoggedRequest,
} from './types.ts'
