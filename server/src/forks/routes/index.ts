import type { RouteSpec } from '../../api/route-spec.ts'
import { commitFork, getBaseline } from './baseline-routes.ts'
import { getForkDiff, getTraceForkDiff } from './diff-routes.ts'
import { getForkEstimate, inlineEdit } from './estimate-routes.ts'
import { createFork, getFork, listForks, replayFork } from './fork-routes.ts'
import { createSensitivity, getSensitivity } from './sensitivity-routes.ts'
import { cancelSweep, createSweep, getSweep } from './sweep-routes.ts'

/** Every Fork & Replay route, in the order they are matched (fixed paths before `:forkId`). */
export const FORK_ROUTES: readonly RouteSpec[] = [createSweep, getSweep, cancelSweep, createSensitivity, getSensitivity, createFork, listForks, replayFork, getForkDiff, getForkEstimate, commitFork, getFork, getTraceForkDiff, inlineEdit, getBaseline]
