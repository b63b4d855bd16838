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
  ReceivedRequest,
} from './types.ts'
