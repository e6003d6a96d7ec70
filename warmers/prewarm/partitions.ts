// A partitioned warm at run time: a deploy's own fan-out (each partition a warm, at most `maxConcurrency` at once),
// and the judgement of every partition's outputs together — the deploy's, and the state machine's verify step.
import type { PrewarmInputs, PrewarmOutputs, VerifyPartitions } from "../../model/prewarm-contract";
import { WarmInputError } from "../engine/errors";

/** Runs `task` over `items`, at most `limit` at once; the first failure fails the whole, once those running end. */
export async function boundedAll<T, R>(
    items: readonly T[],
    limit: number,
    task: (item: T) => Promise<R>,
): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    let failed: { err: unknown } | undefined;
    const worker = async () => {
        while (!failed && next < items.length) {
            const i = next++;
            try {
                results[i] = await task(items[i]);
            } catch (err) {
                failed ??= { err };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failed) throw failed.err;
    return results;
}

/**
 * The inputs of each partition of a deploy-time warm of `inputs.partitions`. Only the first runs the setup (the
 * roles, as the master user) and warms the replicas' buffers; it runs before the others, which log in as the role
 * it made.
 */
export function partitionInputs(inputs: PrewarmInputs): PrewarmInputs[] {
    const count = inputs.partitions ?? 1;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the setup's inputs: the first partition's only
    const { adminUser, adminPassword, primaryHost, agentUser, agentPassword, ...rest } = inputs;
    return Array.from({ length: count }, (_, i) => ({
        ...(i === 0 ? inputs : rest),
        partition: `${i + 1}/${count}`,
        relations: i === 0 ? inputs.relations : [],
    }));
}

/**
 * The partitions' outputs as one: counts added, the longest duration and staleness, the buffers the first loaded,
 * and the warmth weighted by each partition's keys. Fails naming the partitions colder than `minWarmth`, or
 * missing, so a cold share fails the whole warm (and, in the state machine, the execution and its alarm).
 */
export function combinePartitions(
    event: Omit<VerifyPartitions, "kind">,
    expected?: number,
    wallMs?: number,
): PrewarmOutputs {
    const { reports, minWarmth } = event;
    if (reports.length === 0 || (expected !== undefined && reports.length !== expected))
        throw new WarmInputError("reports", `one per partition (${expected ?? "at least 1"}); given ${reports.length}`);
    const sum = (field: keyof PrewarmOutputs) => reports.reduce((total, r) => total + (r[field] as number), 0);
    const weight = (r: PrewarmOutputs) => r.keysWritten + r.skippedPresent;
    const weights = reports.reduce((total, r) => total + weight(r), 0);
    const warmth = weights ? reports.reduce((total, r) => total + r.warmth * weight(r), 0) / weights : 0;
    const cold = reports.flatMap((r, i) => (r.warmth < minWarmth ? [`${i + 1}/${reports.length}`] : []));
    if (cold.length || warmth < minWarmth)
        throw new WarmInputError(
            "minWarmth",
            `the hot set is cold: warmth ${warmth.toFixed(3)} over ${reports.length} partitions < ${minWarmth}` +
                (cold.length ? `; colder partitions: ${cold.join(", ")}` : ""),
        );
    // The fan-out's own wall time when the caller measured it; else the longest partition's.
    const durationMs = wallMs ?? Math.max(...reports.map((r) => r.durationMs));
    return {
        replicationGroupId: reports[0].replicationGroupId,
        rowsRead: sum("rowsRead"),
        keysWritten: sum("keysWritten"),
        skippedPresent: sum("skippedPresent"),
        skippedDuplicate: sum("skippedDuplicate"),
        skippedNull: sum("skippedNull"),
        skippedTooLarge: sum("skippedTooLarge"),
        errors: sum("errors"),
        warmth,
        durationMs,
        keysPerSecond: Math.round(sum("keysWritten") / Math.max(durationMs / 1000, 0.001)),
        oldestValueAgeMs: Math.max(...reports.map((r) => r.oldestValueAgeMs)),
        lastWarmedAt: reports
            .map((r) => r.lastWarmedAt)
            .sort()
            .at(-1)!,
        blocksLoaded: Object.assign({}, ...reports.map((r) => r.blocksLoaded)),
    };
}
