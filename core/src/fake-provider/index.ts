// The public types use Node's (Buffer, NodeJS.ProcessEnv, node:http): load them for every
// user, whatever their tsconfig's "types" (TypeScript 7 defaults it to none).
/// <reference types="node" preserve="true" />
/**
 * `@retrace/core/fake-provider`: moved to its own package, `@retrace/fake-provider`. This
 * re-export keeps existing imports working for one more release; import from
 * `@retrace/fake-provider` instead.
 *
 * @deprecated Import from `@retrace/fake-provider`.
 */
export {
  startFakeProvider,
  type FakeProvider,
  type FakeProviderKind,
  type FakeProviderOptions,
  type FakeProviderRequest,
  type FakeReply,
  type FakeResponder,
  type FakeToolCall,
  type FakeUsage,
  type LoggedRequest,
} from '@retrace/fake-provider'
