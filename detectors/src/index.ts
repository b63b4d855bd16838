export { detect, runDetectors } from './detect/detect.ts'
export { detectAsync, type DetectAsyncOptions } from './detect/detect-async.ts'
export { attributeFailure, type FailureAttribution } from './detect/attribute-failure.ts'
export { DetectOptionsSchema, DEFAULT_DETECT_OPTIONS, resolveDetectOptions, type DetectOptions, type ResolvedDetectOptions } from './detectors/detect-options.ts'
export {
  FlagSchema,
  FlagKindSchema,
  DetectorKindSchema,
  DetectionResultSchema,
  MastModeSchema,
  MAST_MODES,
  MAST_MODE_OF,
  DETECTOR_KINDS,
  DETECTORS_VERSION,
  type Flag,
  type FlagKind,
  type DetectorKind,
  type DetectionResult,
  type MastMode,
} from './flags/flag.ts'
export { rankFlags } from './detect/rank-flags.ts'
export { DetectorTraceSchema, parseDetectorTrace, TRACE_FILE_VERSION, type DetectorTrace } from './trace/detector-trace.ts'
export { buildTraceView, actionKey, UNKNOWN_AGENT, type TraceView, type TraceStep, type StepAction } from './trace/trace-view.ts'
export { buildTopology, AgentTopologySchema, TopologyAgentSchema, TopologyEdgeSchema, type AgentTopology, type TopologyAgent, type TopologyEdge } from './topology/build-topology.ts'
export { importWhoAndWhen, whoAndWhenStep, type ImportWhoAndWhenOptions, type WhoAndWhenImport, type WhoAndWhenLabels } from './who-and-when/import-who-and-when.ts'
export { WhoAndWhenRunSchema, WhoAndWhenMessageSchema, type WhoAndWhenRun, type WhoAndWhenMessage } from './who-and-when/who-and-when-run.ts'
export { webSurferAction, type WebSurferAction } from './who-and-when/web-surfer-action.ts'
export { createLlmJudge, judgePrompt, JudgeVerdictSchema, MAST_DEFINITIONS, type DetectorJudge, type JudgeRequest, type JudgeStep, type JudgeVerdict, type LlmJudgeOptions } from './judge/judge.ts'
export { DetectorTraceError, WhoAndWhenFormatError, DetectorJudgeError } from './errors/detector-errors.ts'
