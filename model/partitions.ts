// A hot set past one run of the warmer function: into how many partitions the warm splits (each a run that ends
// within its timeout at the calibrated keys/s, with a margin), and how many of them may run at once (no more than
// the cache has shards to take them, nor than the database has connections left at the warm's instant). Pure;
// the formulas are in docs/configuration.md.
import { settle } from "../policies/shared/numbers";
import type { WarmstackConfig } from "./config";
import { estimateWarmSeconds, WARM_KEYS_PER_SECOND, WARM_START_SECONDS } from "./data-warm";
import { planned, refused, type Planned } from "./planned";

/**
 * Once split, a partition is planned to this share of the timeout: the keys/s is a floor, and a partition that
 * runs slow (a cold replica, a busy shard) must still end within its run. A warm that fits one run stays one.
 */
export const PARTITION_FILL = 0.8;
/** Connections one partition's run opens to the database: the ranking query's cursor. */
export const CONNECTIONS_PER_PARTITION = 1;

export interface WarmSplit {
    /** 1 when one run holds the whole warm; then nothing else changes. */
    partitions: number;
    /** Keys of the largest partition: ⌈topKeys / partitions⌉. */
    keysPerPartition: number;
    /** One partition's expected run at WARM_KEYS_PER_SECOND. */
    partitionSeconds: number;
}

/** The fewest partitions each of which ends within the timeout (PARTITION_FILL of it once split). */
export function splitWarm(prewarm: WarmstackConfig["cache"]["prewarm"]): Planned<WarmSplit> {
    const { topKeys, timeoutSeconds } = prewarm;
    if (estimateWarmSeconds(topKeys) <= timeoutSeconds)
        return planned({ partitions: 1, keysPerPartition: topKeys, partitionSeconds: estimateWarmSeconds(topKeys) });
    const keysPerRun = Math.floor(
        settle((timeoutSeconds * PARTITION_FILL - WARM_START_SECONDS) * WARM_KEYS_PER_SECOND),
    );
    if (keysPerRun < 1) {
        return refused([
            {
                key: "warmstack:cache.prewarm.timeoutSeconds",
                given: timeoutSeconds,
                allowed:
                    `at least ${Math.floor(settle(WARM_START_SECONDS / PARTITION_FILL)) + 1} for a warm of ${topKeys} keys ` +
                    `(about ${estimateWarmSeconds(topKeys)} s at ${WARM_KEYS_PER_SECOND} keys/s) split into runs: each ` +
                    `run takes ${WARM_START_SECONDS} s to start and is planned to ${PARTITION_FILL * 100} % of the timeout`,
            },
        ]);
    }
    const partitions = Math.ceil(topKeys / keysPerRun);
    const keysPerPartition = Math.ceil(topKeys / partitions);
    return planned({ partitions, keysPerPartition, partitionSeconds: estimateWarmSeconds(keysPerPartition) });
}

export interface FanOut {
    /** Partitions running at once (the Step Functions Map's MaxConcurrency): at least 1. */
    maxConcurrency: number;
    /** What bounds it: the cache's shards, and the connections each replica has left for the warm. */
    bounds: { shards: number; connectionsLeft: number };
    /** Rounds of partitions: ⌈partitions / maxConcurrency⌉. */
    waves: number;
    /** The whole fan-out's expected duration: waves × one partition's run. */
    estimatedSeconds: number;
}

/**
 * How many partitions may run at once: no more than the partitions, the cache's shards (each primary takes one run
 * at full speed; more only queue on it), and the replica's connections the app tier leaves at the warm's instant
 * (`instancesAtWarm` × its reader pool per replica, out of the budget). With nothing left, one at a time: the
 * warm's one connection comes from the reserve, as a single run's does.
 */
export function fanOut(
    split: WarmSplit,
    shards: number,
    database: { budgetPerEndpoint: number; readerPoolPerReplica: number },
    instancesAtWarm: number,
): FanOut {
    const connectionsLeft = Math.max(0, database.budgetPerEndpoint - instancesAtWarm * database.readerPoolPerReplica);
    const byConnections = Math.floor(connectionsLeft / CONNECTIONS_PER_PARTITION);
    const maxConcurrency = Math.max(1, Math.min(split.partitions, shards, byConnections));
    const waves = Math.ceil(split.partitions / maxConcurrency);
    return {
        maxConcurrency,
        bounds: { shards, connectionsLeft },
        waves,
        estimatedSeconds: waves * split.partitionSeconds,
    };
}
