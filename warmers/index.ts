// The public API of the warm engine: `warm(options)` resolves with a report or rejects with a typed error.
// It takes everything as explicit options (no environment, no process exit), so the CLI, the Pulumi
// provider and the Lambda handler all call it the same way.
export { warm } from "./engine/warm";
export { WARM_DEFAULTS, type WarmOptions } from "./engine/options";
export type { EntrySizes, SkipCounts, WarmProgress, WarmReport } from "./engine/report";
export { ColdCacheError, WarmConnectionError, WarmError, WarmIncompleteError, WarmInputError } from "./engine/errors";
export { WarmEvictionError, type MemoryCheck } from "./engine/memory-check";
export { EXIT, exitCodeFor, WarmstackError, type ErrorCode } from "../model/errors";
