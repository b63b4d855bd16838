import type { RouteSpec } from '../../api/route-spec.ts'
import { getForkDiff, getTraceForkDiff } from './diff-routes.ts'
import { createFork, getFork, listForks, replayFork } from './fork-routes.ts'

/** Every Fork & Replay route, in the order they are matched (fixed paths before `:forkId`). */
export const FORK_ROUTES: readonly RouteSpec[] = [createFork, listForks, replayFork, getForkDiff, getFork, getTraceForkDiff]
