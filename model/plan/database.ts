// The database tier's plan: read replicas for the read load, and connection pools that fit every endpoint's budget
// at the peak.
import { settle } from "../../policies/shared/numbers";
import type { ConfigProblem, WarmstackConfig } from "../config";
import { planned, refused, type Planned } from "../planned";
import type { ReadinessPlan } from "./index";

/** Replicas and pools for `peak` instances, or the problems of a budget too small for the pools' minimums. */
export function planDatabase(config: WarmstackConfig, peak: number): Planned<ReadinessPlan["database"]> {
    const { database } = config;
    // At least one: the cache pre-warm reads from a replica and never loads the primary.
    const replicas = Math.max(1, Math.ceil(settle(database.readQps / database.readQpsPerReplica)));
    const budgetPerEndpoint = Math.floor(settle(database.maxConnections * (1 - database.connectionReserve)));
    const perInstanceShare = Math.floor(budgetPerEndpoint / peak);
    const problems = connectionProblems(config, peak, replicas, budgetPerEndpoint, perInstanceShare);
    if (problems.length > 0) return refused(problems);
    // The writer and every replica have the same budget, so an instance opens the same pool to each.
    const poolPerEndpoint = Math.min(database.pool.max, perInstanceShare);
    return planned({
        replicas,
        maxConnections: database.maxConnections,
        budgetPerEndpoint,
        writerPoolPerInstance: poolPerEndpoint,
        readerPoolPerReplica: poolPerEndpoint,
        readerPoolPerInstance: poolPerEndpoint * replicas,
    });
}

/** Connections each DB instance needs so that `count` connections fit inside the reserve. */
function connectionsFor(count: number, reserve: number): number {
    return Math.ceil(settle(count / (1 - reserve)));
}

function connectionProblems(
    config: WarmstackConfig,
    peak: number,
    replicas: number,
    budget: number,
    perInstanceShare: number,
): ConfigProblem[] {
    const { database } = config;
    const { writerMin, readerMin } = database.pool;
    const reserve = `${Math.round(database.connectionReserve * 100)}% reserve`;
    const problems: ConfigProblem[] = [];
    if (perInstanceShare < writerMin) {
        const needed = connectionsFor(peak * writerMin, database.connectionReserve);
        problems.push({
            key: "warmstack:database.maxConnections",
            given: database.maxConnections,
            allowed:
                `writer: ${peak} instances at peak × ${writerMin} connections need maxConnections ≥ ${needed} ` +
                `with ${reserve} (${needed - database.maxConnections} missing; the budget is ${budget})`,
        });
    }
    if (perInstanceShare * replicas < readerMin) {
        const perReplicaNeeded = Math.ceil(readerMin / replicas);
        const needed = connectionsFor(peak * perReplicaNeeded, database.connectionReserve);
        const replicasNeeded = perInstanceShare > 0 ? Math.ceil(readerMin / perInstanceShare) : undefined;
        problems.push({
            key: "warmstack:database.maxConnections",
            given: database.maxConnections,
            allowed:
                `readers: ${peak} instances at peak × ${readerMin} reader connections over ${replicas} replica(s) need ` +
                `maxConnections ≥ ${needed} with ${reserve} (${needed - database.maxConnections} missing)` +
                (replicasNeeded
                    ? `, or ${replicasNeeded - replicas} more replica(s) (lower database.readQpsPerReplica)`
                    : ""),
        });
    }
    return problems;
}
