// How the links fit together: the app tier's connections at its peak against every database endpoint's limit,
// and the whole chain — warm compute in front of a cold cache or database is a cold system.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { groupsOf } from "./attached";
import { cachesOf, prewarmsOf } from "./cache";
import { coldOkReason, flatCapacity, hasLaunchHook, warmInstances, warmPoolOf } from "./compute";
import { connectionBudgetConfig, prewarmConfig, settings } from "./config";
import { TAGS, TYPES } from "./shared/contract";
import {
    autoPauseProblem,
    bufferPrewarmProblems,
    databasesOf,
    maxConnectionsOf,
    localOutsideReplicasOf,
    replicaBufferProblem,
    settingsOf,
} from "./database";
import { eventText } from "./event";
import { cacheEvent, eventWarmProblem } from "./event-warm";
import { POLICY } from "./names";
import { settle } from "./shared/numbers";
import { bullets, numberOf, ofType, tagsOf, Unknowns } from "./props";

/** A group's connections to one endpoint at its peak: `instances` (maxSize) × `perInstance`. */
interface Demand {
    group: string;
    instances: number;
    perInstance: number;
}

interface AppTier {
    group: PolicyResource;
    peak: number;
    writerPool: number;
    readerPoolPerReplica: number;
    /** Replicas the reader pool was sized for; undefined when the group does not say. */
    plannedReplicas?: number;
}

/** The groups' peaks and published pool sizes; a group without them is left out, as its demand is unknown. */
function appTiers(groups: PolicyResource[], unknowns: Unknowns): AppTier[] {
    return groups.flatMap(
        (group) =>
            unknowns.check(group, (): AppTier[] => {
                const tags = tagsOf(group.props);
                const writerPool = numberOf(tags.get(TAGS.writerPool));
                const readerPoolPerReplica = numberOf(tags.get(TAGS.readerPoolPerReplica));
                // Untagged (a stack warmstack did not build): unjudged-resources names it, as an advisory.
                if (writerPool === undefined || readerPoolPerReplica === undefined) return [];
                const peak = numberOf(group.props.maxSize) ?? 0;
                return [
                    {
                        group,
                        peak,
                        writerPool,
                        readerPoolPerReplica,
                        plannedReplicas: numberOf(tags.get(TAGS.replicas)),
                    },
                ];
            }) ?? [],
    );
}

export const connectionBudget: StackValidationPolicy = {
    name: POLICY.connectionBudget,
    description:
        "At the peak (every group at maxSize), the connections the app tier opens fit every database " +
        "endpoint: instances × per-instance pool ≤ max_connections × (1 − reserve), for the writer and each reader " +
        "(RDS replicas, Aurora instances).",
    enforcementLevel: "mandatory",
    configSchema: connectionBudgetConfig,
    validateStack: (args, reportViolation) => {
        const { reserve } = settings(args, connectionBudgetConfig);
        const databases = databasesOf(args.resources);
        // A replica of a database outside the stack serves this region's reads like any other: held to its budget.
        const outside = localOutsideReplicasOf(args.resources);
        if (databases.length === 0 && outside.length === 0) return;
        const unknowns = new Unknowns();
        // Every group of the stack is taken to reach every database of the stack: the props cannot tell.
        const tiers = appTiers(ofType(args.resources, TYPES.group), unknowns);

        /** `endpoint`'s max_connections over `instances` (the smallest: any Aurora instance may be the writer). */
        const checkEndpoint = (
            endpoint: PolicyResource,
            instances: PolicyResource[],
            role: string,
            demand: Demand[],
            cluster?: PolicyResource,
        ) => {
            unknowns.check(endpoint, () => {
                const limits = instances.map((db) => ({ db, groups: settingsOf(db, args.resources, cluster) }));
                const unpinned = limits.find((l) => maxConnectionsOf(l.groups) === undefined);
                if (unpinned || limits.length === 0) {
                    const groups = unpinned?.groups ?? [];
                    reportViolation(
                        `${role} ${endpoint.name}: max_connections is not pinned to a number in ` +
                            (groups.length > 0
                                ? `its parameter group${groups.length > 1 ? "s" : ""} ${groups.map((g) => g.name).join(", ")}`
                                : "a parameter group of this stack (it runs the RDS default)") +
                            ", so the connections it takes at the peak cannot be checked. Set max_connections in its " +
                            "parameter group.",
                        endpoint.urn,
                    );
                    return;
                }
                const max = Math.min(...limits.map((l) => maxConnectionsOf(l.groups)!));
                // Drop float noise before rounding down, as the plan does: 1000 × (1 − 0.9) must be 100, not 99.
                const budget = Math.floor(settle(max * (1 - reserve)));
                const total = demand.reduce((sum, d) => sum + d.instances * d.perInstance, 0);
                if (total <= budget) return;
                const terms = demand.map((d) => `${d.group} ${d.instances} instances × ${d.perInstance}`).join(" + ");
                reportViolation(
                    `${role} ${endpoint.name}: ${terms} = ${total} connections at the peak, over its budget ` +
                        `of ${budget} (max_connections ${max} − ${Math.round(reserve * 100)}% reserve). Raise ` +
                        "max_connections (warmstack: database.maxConnections), lower the per-instance pool " +
                        `(database.pool.max) or the peak (maxSize)${role === "reader" ? ", or add replicas" : ""}.`,
                    endpoint.urn,
                );
            });
        };

        const readerDemand = tiers.map((t) => ({
            group: t.group.name,
            instances: t.peak,
            perInstance: t.readerPoolPerReplica,
        }));
        // Without a parameter group of the stack, a same-region replica runs its source's (RDS's
        // CreateDBInstanceReadReplica), outside the stack: its max_connections is unseen, and unjudged-resources says so.
        for (const replica of outside) {
            if (settingsOf(replica, args.resources).length > 0)
                checkEndpoint(replica, [replica], "reader", readerDemand);
        }
        for (const db of databases) {
            const cluster = db.aurora ? db.primary : undefined;
            checkEndpoint(
                db.primary,
                db.writers,
                "writer",
                tiers.map((t) => ({ group: t.group.name, instances: t.peak, perInstance: t.writerPool })),
                cluster,
            );
            for (const reader of db.readers) {
                checkEndpoint(reader, [reader], "reader", readerDemand, cluster);
            }
            for (const tier of tiers) {
                if (tier.plannedReplicas === undefined || tier.plannedReplicas <= db.replicaCount) continue;
                reportViolation(
                    `${tier.group.name} sized its reader pool for ${tier.plannedReplicas} replicas of ` +
                        `${db.primary.name}, but ${db.replicaCount} exist: each instance holds ` +
                        `${tier.readerPoolPerReplica * db.replicaCount} of its ${tier.readerPoolPerReplica * tier.plannedReplicas} ` +
                        "planned reader connections. Create the missing replicas.",
                    tier.group.urn,
                );
            }
        }
        unknowns.settle();
    },
};

export const wholeChainWarm: StackValidationPolicy = {
    name: POLICY.wholeChainWarm,
    description:
        "If any compute in the stack is warm, every link behind it is warm too — compute, cache and " +
        "database, at deploy and at the event's start — because one cold component takes the whole system down " +
        "at the peak.",
    enforcementLevel: "mandatory",
    configSchema: prewarmConfig,
    validateStack: (args, reportViolation) => {
        const resources = args.resources;
        const { eventStart } = settings(args, prewarmConfig);
        const now = Date.now();
        const unknowns = new Unknowns();
        const groups = groupsOf(resources);
        const warmth = groups.flatMap(
            (g) =>
                unknowns.check(g, () => {
                    const pool = warmPoolOf(g.props);
                    const waiting = pool ? warmInstances(g.props, pool) : 0;
                    return waiting > 0 ? [`${g.name} keeps ${waiting} instance(s) warm`] : [];
                }) ?? [],
        );
        if (warmth.length === 0) return unknowns.settle();

        const hooks = ofType(resources, TYPES.lifecycleHook);
        const cold: string[] = [];
        const link = (resource: PolicyResource, find: () => string | undefined) => {
            const finding = unknowns.check(resource, find);
            if (finding) cold.push(finding);
        };
        for (const group of groups) {
            link(group, () => {
                if (!warmPoolOf(group.props)) {
                    return coldOkReason(group.props) || flatCapacity(group.props) !== undefined
                        ? undefined
                        : `compute ${group.name}: no warm pool — its scale-out boots cold (${POLICY.warmPoolRequired})`;
                }
                return hasLaunchHook(group, hooks)
                    ? undefined
                    : `compute ${group.name}: no launch hook — instances join before they are warm (${POLICY.launchHook})`;
            });
        }
        for (const cache of cachesOf(resources)) {
            link(cache, () => {
                if (prewarmsOf(cache, resources).length === 0) {
                    return (
                        `cache ${cache.name}: no CachePrewarm fills it — it opens empty and every miss goes to the ` +
                        `database (${POLICY.cachePrewarmed})`
                    );
                }
                const event = cacheEvent(cache, eventStart, resources);
                if (event === undefined || Number.isNaN(event.ms)) return undefined;
                return eventWarmProblem(cache, event, resources, unknowns, now)
                    ? `cache ${cache.name}: no scheduled warm in time — the deploy's keys have expired when ` +
                          `${eventText(event)} starts (${POLICY.prewarmBeforeEvent})`
                    : undefined;
            });
        }
        const outside = localOutsideReplicasOf(resources);
        const buffered = (instance: PolicyResource, cluster?: PolicyResource) => {
            const groups = settingsOf(instance, resources, cluster);
            // An unknown parameter is reported under the group that holds it.
            link(groups[0] ?? instance, () => {
                const problems = bufferPrewarmProblems(groups);
                return problems.length === 0
                    ? undefined
                    : `database ${instance.name}: its buffer cache comes back cold after a restart or failover ` +
                          `(${problems.join("; ")}) (${POLICY.dbBufferPrewarm})`;
            });
        };
        const replicaWarmed = (reader: PolicyResource) =>
            link(reader, () =>
                replicaBufferProblem(reader, resources)
                    ? `database ${reader.name}: its buffers are cold at the event — no warm loads its hot ` +
                      `relations (${POLICY.replicaBuffersWarm})`
                    : undefined,
            );
        for (const replica of outside) {
            // Without a parameter group of the stack, a same-region replica runs its source's (RDS's
            // CreateDBInstanceReadReplica), outside the stack: unjudged-resources names it.
            if (settingsOf(replica, resources).length > 0) buffered(replica);
            replicaWarmed(replica);
        }
        for (const db of databasesOf(resources)) {
            const cluster = db.aurora ? db.primary : undefined;
            if (db.aurora) {
                link(db.primary, () => {
                    const problem = autoPauseProblem(db.primary.props);
                    return problem && `database ${db.primary.name}: ${problem} (${POLICY.dbAlwaysOn})`;
                });
            }
            for (const instance of db.aurora ? db.readers : [db.primary, ...db.readers]) buffered(instance, cluster);
            link(db.primary, () =>
                db.replicaCount > 0
                    ? undefined
                    : `database ${db.primary.name}: no read replica — every read at the peak lands on the writer (${POLICY.dbReadReplicas})`,
            );
            for (const reader of db.readers) replicaWarmed(reader);
        }
        if (cold.length > 0) {
            reportViolation(
                `The compute is warm (${warmth.join(", ")}), but ${cold.length} link(s) behind it are cold:\n` +
                    `${bullets(cold)}\nWarm every link — the policy named on each line says how — before the event.`,
            );
        }
        unknowns.settle();
    },
};
