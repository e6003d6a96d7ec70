// One run of the warmer function is bounded (its timeout; Lambda's 15 minutes): a warm whose estimate — the
// CachePrewarm's `topKeys` at the contract's keys/s — exceeds one run must be split into partitions that each fit.
import { StackValidationPolicy } from "@pulumi/policy";
import { POLICY } from "./names";
import { numberOf, ofType } from "./props";
import { PREWARM_INPUTS, TYPES, WARM_RUN } from "./shared/contract";
import { DEFAULTS } from "./shared/defaults";

/** Seconds a run of `keys` keys takes at the contract's speed, its start included. */
const runSeconds = (keys: number) => Math.ceil(WARM_RUN.startSeconds + keys / WARM_RUN.keysPerSecond);

export const prewarmFitsOneRun: StackValidationPolicy = {
    name: POLICY.prewarmFitsOneRun,
    description:
        "A cache warm whose estimate (topKeys at the contract's keys/s) exceeds one run of its function is split " +
        "into partitions that each end within the timeout — one run past it fails at the event.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        for (const prewarm of ofType(args.resources, TYPES.cachePrewarm)) {
            const topKeys = numberOf(prewarm.props.topKeys);
            if (topKeys === undefined) continue; // unknown at preview: judged when it is known
            const timeout = numberOf(prewarm.props[PREWARM_INPUTS.timeoutSeconds]) ?? DEFAULTS.prewarmTimeoutSeconds;
            const partitions = numberOf(prewarm.props.partitions) ?? 1;
            const perRun = runSeconds(Math.ceil(topKeys / partitions));
            if (perRun <= timeout) continue;
            const keysPerRun = (timeout - WARM_RUN.startSeconds) * WARM_RUN.keysPerSecond;
            const needed =
                keysPerRun > 0
                    ? `at least ${Math.ceil(topKeys / keysPerRun)} partitions`
                    : `a timeout above the run's ${WARM_RUN.startSeconds} s start`;
            reportViolation(
                `${prewarm.name}: the warm of ${topKeys} keys needs about ${runSeconds(topKeys)} s at ` +
                    `${WARM_RUN.keysPerSecond} keys/s (${perRun} s per run in ${partitions} partition(s)), beyond ` +
                    `one run of its function (timeoutSeconds ${timeout} s): it needs ${needed}.`,
                prewarm.urn,
            );
        }
    },
};
