// How the links fit together: the app tier's connections at its peak against every database endpoint's limit,
// and the whole chain — warm compute in front of a cold cache or database is a cold system.
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { prewarmsOf } from "./cache";
import { coldOkReason, hasLaunchHook, warmInstances, warmPoolOf } from "./compute";
import { connectionBudgetConfig, settings } from "./config";
import { TAGS, TYPES } from "./contract";
import { bufferPrewarmProblems, isReplica, maxConnectionsOf, parameterGroupOf, replicasOf } from "./database";
import { settle } from "./numbers";
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

/** The groups' peaks and published pool sizes; a group without them is reported, as its demand is unknown. */
function appTiers(
    groups: PolicyResource[],
    unknowns: Unknowns,
    reportViolation: (message: string, urn?: string) => void,
): AppTier[] {
    return groups.flatMap(
        (group) =>
            unknowns.check(group, (): AppTier[] => {
                const tags = tagsOf(group.props);
                const writerPool = numberOf(tags.get(TAGS.writerPool));
                const readerPoolPerReplica = numberOf(tags.get(TAGS.readerPoolPerReplica));
                if (writerPool === undefined || readerPoolPerReplica === undefined) {
                    reportViolation(
                        `${group.name} does not publish the connections each instance opens ` +
                            `(tags ${TAGS.writerPool} and ${TAGS.readerPoolPerReplica}), so its demand on the database at the ` +
                            "peak cannot be checked. Tag the group with its per-instance pool sizes (see the policy contract).",
                        group.urn,
                    );
                    return [];
                }
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
    name: "connection-budget",
    description:
        "At the peak (every group at maxSize), the connections the app tier opens fit every database " +
        "endpoint: instances × per-instance pool ≤ max_connections × (1 − reserve), for the writer and each replica.",
    enforcementLevel: "mandatory",
    configSchema: connectionBudgetConfig,
    validateStack: (args, reportViolation) => {
        const { reserve } = settings(args, connectionBudgetConfig);
        const instances = ofType(args.resources, TYPES.dbInstance);
        const parameterGroups = ofType(args.resources, TYPES.dbParameterGroup);
        const primaries = instances.filter((db) => !isReplica(db.props));
        if (primaries.length === 0) return;
        const unknowns = new Unknowns();
        // Every group of the stack is taken to reach every database of the stack: the props cannot tell.
        const tiers = appTiers(ofType(args.resources, TYPES.group), unknowns, reportViolation);

        const checkEndpoint = (db: PolicyResource, role: string, demand: Demand[]) => {
            const group = parameterGroupOf(db, parameterGroups);
            unknowns.check(group ?? db, () => {
                const max = group && maxConnectionsOf(group.props);
                if (max === undefined) {
                    reportViolation(
                        `${role} ${db.name}: max_connections is not pinned to a number in ` +
                            (group
                                ? `its parameter group ${group.name}`
                                : "a parameter group of this stack (it runs the RDS default)") +
                            ", so the connections it takes at the peak cannot be checked. Set max_connections in its " +
                            "parameter group.",
                        db.urn,
                    );
                    return;
                }
                // Drop float noise before rounding down, as the plan does: 1000 × (1 − 0.9) must be 100, not 99.
                const budget = Math.floor(settle(max * (1 - reserve)));
                const total = demand.reduce((sum, d) => sum + d.instances * d.perInstance, 0);
                if (total <= budget) return;
                const terms = demand.map((d) => `${d.group} ${d.instances} instances × ${d.perInstance}`).join(" + ");
                reportViolation(
                    `${role} ${db.name}: ${terms} = ${total} connections at the peak, over its budget ` +
                        `of ${budget} (max_connections ${max} − ${Math.round(reserve * 100)}% reserve). Raise ` +
                        "max_connections (warmstack: database.maxConnections), lower the per-instance pool " +
                        `(database.pool.max) or the peak (maxSize)${role === "reader" ? ", or add replicas" : ""}.`,
                    db.urn,
                );
            });
        };

        for (const primary of primaries) {
            checkEndpoint(
                primary,
                "writer",
                tiers.map((t) => ({ group: t.group.name, instances: t.peak, perInstance: t.writerPool })),
            );
            const replicas = replicasOf(primary, instances);
            for (const replica of replicas) {
                checkEndpoint(
                    replica,
                    "reader",
                    tiers.map((t) => ({
                        group: t.group.name,
                        instances: t.peak,
                        perInstance: t.readerPoolPerReplica,
                    })),
                );
            }
            for (const tier of tiers) {
                if (tier.plannedReplicas === undefined || tier.plannedReplicas <= replicas.length) continue;
                reportViolation(
                    `${tier.group.name} sized its reader pool for ${tier.plannedReplicas} replicas of ` +
                        `${primary.name}, but ${replicas.length} exist: each instance holds ` +
                        `${tier.readerPoolPerReplica * replicas.length} of its ${tier.readerPoolPerReplica * tier.plannedReplicas} ` +
                        "planned reader connections. Create the missing replicas.",
                    tier.group.urn,
                );
            }
        }
        unknowns.settle();
    },
};

export const wholeChainWarm: StackValidationPolicy = {
    name: "whole-chain-warm",
    description:
        "If any compute in the stack is warm, every link behind it is warm too — compute, cache and " +
        "database — because one cold component takes the whole system down at the peak.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const resources = args.resources;
        const unknowns = new Unknowns();
        const groups = ofType(resources, TYPES.group);
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
        const parameterGroups = ofType(resources, TYPES.dbParameterGroup);
        const instances = ofType(resources, TYPES.dbInstance);
        const cold: string[] = [];
        const link = (resource: PolicyResource, find: () => string | undefined) => {
            const finding = unknowns.check(resource, find);
            if (finding) cold.push(finding);
        };
        for (const group of groups) {
            link(group, () => {
                if (!warmPoolOf(group.props)) {
                    return coldOkReason(group.props)
                        ? undefined
                        : `compute ${group.name}: no warm pool — its scale-out boots cold (asg-warm-pool-required)`;
                }
                return hasLaunchHook(group, hooks)
                    ? undefined
                    : `compute ${group.name}: no launch hook — instances join before they are warm (warm-pool-launch-hook)`;
            });
        }
        for (const cache of ofType(resources, TYPES.replicationGroup)) {
            link(cache, () =>
                prewarmsOf(cache, resources).length > 0
                    ? undefined
                    : `cache ${cache.name}: no CachePrewarm fills it — it opens empty and every miss goes to the ` +
                      "database (cache-prewarmed)",
            );
        }
        for (const db of instances) {
            const group = parameterGroupOf(db, parameterGroups);
            link(group ?? db, () => {
                const problems = group
                    ? bufferPrewarmProblems(group.props)
                    : ["it runs the RDS default parameter group, which does not load pg_prewarm"];
                return problems.length === 0
                    ? undefined
                    : `database ${db.name}: its buffer cache comes back cold after a restart or failover ` +
                          `(${problems.join("; ")}) (db-buffer-prewarm)`;
            });
            link(db, () =>
                isReplica(db.props) || replicasOf(db, instances).length > 0
                    ? undefined
                    : `database ${db.name}: no read replica — every read at the peak lands on the writer (db-read-replicas)`,
            );
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
