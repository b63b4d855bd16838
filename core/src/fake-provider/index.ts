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
