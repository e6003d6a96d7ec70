// The database tier: RDS PostgreSQL instances and Aurora PostgreSQL clusters — private, encrypted, with read
// replicas for the peak, a buffer cache that comes back warm after a restart (pg_prewarm's autoprewarm), and
// replicas whose buffers are loaded before the event.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { readReplicasConfig, settings } from "./config";
import { PREWARM_INPUTS, TYPES } from "./shared/contract";
import { atInstant } from "./compute";
import { eventStartOf, stackEventTags } from "./event";
import { POLICY } from "./names";
import {
    bullets,
    eachKnown,
    isRecord,
    isSet,
    isTrue,
    known,
    listOf,
    numberOf,
    ofType,
    Props,
    referencedBy,
    stringOf,
    Unknowns,
} from "./props";

/** Engines the pack judges: PostgreSQL on RDS and Aurora PostgreSQL. */
export const POSTGRES_ENGINES = ["postgres", "aurora-postgresql"];

/** Whether the pack judges this engine; a replica names none (it inherits its source's), which counts as judged. */
export const isPostgres = (db: Props) => {
    const engine = stringOf(known(db, "engine"));
    return engine === undefined || POSTGRES_ENGINES.includes(engine);
};

export const isReplica = (db: Props) => isSet(db, "replicateSourceDb");

/** The Application Auto Scaling dimension of an Aurora cluster's readers (resource id `cluster:ID`). */
const READER_COUNT = "rds:cluster:ReadReplicaCount";

/** An RDS ARN's region: arn:aws:rds:<region>:<account>:db:<name>. */
const arnRegion = (value: unknown) => /^arn:aws[\w-]*:rds:([a-z0-9-]+):/.exec(stringOf(value) ?? "")?.[1];

/** The region a resource is managed in: its `region` (every resource has one), else its provider's; undefined unknown. */
export const regionOf = (r: PolicyResource): string | undefined =>
    stringOf(known(r.props, "region")) ??
    stringOf(known(r.provider?.props, "region")) ??
    arnRegion(known(r.props, "arn"));

/**
 * Whether `replica` serves another region than its source: the regions both known and different. The source's
 * region comes from the source resource, else from the ARN the replica names (a cross-region replica must).
 */
function inAnotherRegion(replica: PolicyResource, source?: PolicyResource): boolean {
    const here = regionOf(replica);
    const there = (source && regionOf(source)) ?? arnRegion(known(replica.props, "replicateSourceDb"));
    return here !== undefined && there !== undefined && here !== there;
}

/** The read replicas streaming from `primary`, linked through their replicateSourceDb. */
export const replicasOf = (primary: PolicyResource, instances: PolicyResource[]) =>
    instances.filter(
        (db) =>
            isReplica(db.props) && referencedBy(db, "replicateSourceDb", [primary], ["identifier", "arn"]).length > 0,
    );

/** The instances of an Aurora cluster, linked through their clusterIdentifier. */
const membersOf = (cluster: PolicyResource, instances: PolicyResource[]) =>
    instances.filter((i) => referencedBy(i, "clusterIdentifier", [cluster], ["clusterIdentifier"]).length > 0);

/**
 * A database as the app tier sees it: one writer endpoint and the endpoints that serve reads. An RDS primary
 * writes and its replicas read; an Aurora cluster writes through whichever instance is its writer and reads
 * from the others, so each instance is a reader (and any may become the writer after a failover).
 */
export interface Database {
    /** The RDS primary instance, or the Aurora cluster. */
    primary: PolicyResource;
    aurora: boolean;
    /** Endpoints serving reads: the primary's replicas in its region, or every instance of the Aurora cluster. */
    readers: PolicyResource[];
    /** Read replicas as AWS counts them: the replicas, or the Aurora cluster's instances beyond its writer. */
    replicaCount: number;
    /** Where the writer's instance settings live: the primary, or every Aurora instance (any may write). */
    writers: PolicyResource[];
    /** The primary's replicas in another region: they serve that region's readers, not this one's. */
    remote: PolicyResource[];
}

/** The stack's PostgreSQL databases: RDS primaries with their replicas, Aurora PostgreSQL clusters with their instances. */
export function databasesOf(resources: PolicyResource[]): Database[] {
    const instances = ofType(resources, TYPES.dbInstance).filter((db) => isPostgres(db.props));
    const clusterInstances = ofType(resources, TYPES.dbClusterInstance);
    return [
        ...instances
            .filter((db) => !isReplica(db.props))
            .map((primary) => {
                const replicas = replicasOf(primary, instances);
                const remote = replicas.filter((r) => inAnotherRegion(r, primary));
                const readers = replicas.filter((r) => !remote.includes(r));
                return { primary, aurora: false, readers, replicaCount: readers.length, writers: [primary], remote };
            }),
        ...ofType(resources, TYPES.dbCluster)
            .filter((cluster) => stringOf(known(cluster.props, "engine")) === "aurora-postgresql")
            .map((cluster) => {
                const members = membersOf(cluster, clusterInstances);
                return {
                    primary: cluster,
                    aurora: true,
                    readers: members,
                    replicaCount: Math.max(0, members.length - 1),
                    writers: members,
                    remote: [],
                };
            }),
    ];
}

/** A read replica whose source is not in the stack (an ARN, or the identifier of a database created elsewhere). */
export interface OutsideReplica {
    replica: PolicyResource;
    /** What its replicateSourceDb names; undefined while unknown. */
    source: string | undefined;
    /** In another region than its source: it serves that region, not this one. */
    remote: boolean;
}

/** The stack's PostgreSQL replicas of databases outside the stack. */
export function outsideReplicasOf(resources: PolicyResource[]): OutsideReplica[] {
    const instances = ofType(resources, TYPES.dbInstance).filter((db) => isPostgres(db.props));
    return instances
        .filter(
            (db) =>
                isReplica(db.props) &&
                referencedBy(db, "replicateSourceDb", ofType(resources, TYPES.dbInstance), ["identifier", "arn"])
                    .length === 0,
        )
        .map((replica) => ({
            replica,
            source: stringOf(known(replica.props, "replicateSourceDb")),
            remote: inAnotherRegion(replica),
        }));
}

/** The replicas of outside databases that serve this region's reads: the others serve their own region. */
export const localOutsideReplicasOf = (resources: PolicyResource[]): PolicyResource[] =>
    outsideReplicasOf(resources)
        .filter((o) => !o.remote)
        .map((o) => o.replica);

/** The endpoints that serve this region's reads: the databases' readers and the replicas of outside databases. */
export const readersOf = (resources: PolicyResource[]) => [
    ...databasesOf(resources).flatMap((db) => db.readers),
    ...localOutsideReplicasOf(resources),
];

/** The stack's parameter group a DB instance (or Aurora instance) runs with; undefined for the RDS default group. */
export const parameterGroupOf = (db: PolicyResource, groups: PolicyResource[]): PolicyResource | undefined =>
    referencedBy(db, db.type === TYPES.dbClusterInstance ? "dbParameterGroupName" : "parameterGroupName", groups, [
        "name",
    ])[0];

/** The stack's cluster parameter group an Aurora cluster runs with; undefined for the default. */
const clusterParameterGroupOf = (cluster: PolicyResource, groups: PolicyResource[]) =>
    referencedBy(cluster, "dbClusterParameterGroupName", groups, ["name"])[0];

function parameters(group: Props | undefined): Map<string, string> {
    const values = new Map<string, string>();
    for (const p of listOf(group?.parameters)) {
        if (isRecord(p) && typeof p.name === "string") values.set(p.name, stringOf(p.value) ?? String(p.value));
    }
    return values;
}

/**
 * The parameter groups that set an endpoint's parameters, most specific first: the instance's own group, then
 * (Aurora) its cluster's. Empty: it runs the defaults.
 */
export function settingsOf(db: PolicyResource, resources: PolicyResource[], cluster?: PolicyResource) {
    const own = parameterGroupOf(db, ofType(resources, TYPES.dbParameterGroup));
    const shared = cluster && clusterParameterGroupOf(cluster, ofType(resources, TYPES.dbClusterParameterGroup));
    return [own, shared].filter((g): g is PolicyResource => g !== undefined);
}

/** One parameter's value over the groups of `settingsOf`: the first that sets it. */
function parameter(groups: PolicyResource[], name: string): string | undefined {
    for (const group of groups) {
        const value = parameters(group.props).get(name);
        if (value !== undefined) return value;
    }
    return undefined;
}

/** max_connections pinned to a number; undefined when left to RDS's formula of the instance's memory. */
export const maxConnectionsOf = (groups: PolicyResource[]) => numberOf(parameter(groups, "max_connections"));

/** Why these parameter groups would bring the buffer cache back cold; empty when it is warm. */
export function bufferPrewarmProblems(groups: PolicyResource[]): string[] {
    if (groups.length === 0) return ["it runs the RDS default parameter group, which does not load pg_prewarm"];
    return prewarmParameterProblems(
        parameter(groups, "shared_preload_libraries"),
        parameter(groups, "pg_prewarm.autoprewarm"),
    );
}

function prewarmParameterProblems(preload: string | undefined, autoprewarm: string | undefined): string[] {
    const problems: string[] = [];
    if (!(preload ?? "").split(",").some((l) => l.trim() === "pg_prewarm")) {
        problems.push("shared_preload_libraries does not load pg_prewarm");
    }
    // autoprewarm is on by default once pg_prewarm is loaded: only an explicit off is cold.
    if (autoprewarm !== undefined && !["1", "on", "true", "yes"].includes(autoprewarm.toLowerCase())) {
        problems.push(`pg_prewarm.autoprewarm is ${autoprewarm}`);
    }
    return problems;
}

const UNENCRYPTED =
    "storage is unencrypted — set storageEncrypted to true (an existing database: restore it from an encrypted " +
    "snapshot copy)";
const PUBLIC =
    "it is reachable from the internet — set publiclyAccessible to false and admit only the app tier's security group";

export const dbPrivateEncrypted: ResourceValidationPolicy = {
    name: POLICY.dbPrivateEncrypted,
    description:
        "RDS instances and Aurora clusters encrypt their storage, and no database instance is reachable from the " +
        "internet.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const db = args.props;
        const problems: string[] = [];
        if (args.type === TYPES.dbInstance) {
            // A replica inherits its source's encryption: only an explicit false is unencrypted.
            const storageEncrypted = db.storageEncrypted;
            const inherits = isReplica(db) && (storageEncrypted === undefined || storageEncrypted === null);
            if (!isTrue(storageEncrypted) && !inherits) problems.push(UNENCRYPTED);
            if (isTrue(db.publiclyAccessible)) problems.push(PUBLIC);
        } else if (args.type === TYPES.dbCluster) {
            // Aurora's storage is the cluster's: its instances have no encryption setting of their own.
            if (!isTrue(db.storageEncrypted)) problems.push(UNENCRYPTED);
        } else if (args.type === TYPES.dbClusterInstance) {
            if (isTrue(db.publiclyAccessible)) problems.push(PUBLIC);
        }
        if (problems.length > 0) reportViolation(`${args.name}:\n${bullets(problems)}`);
    },
};

const POSTGRES_FAMILY = /^(aurora-)?postgres/;

export const dbBufferPrewarm: ResourceValidationPolicy = {
    name: POLICY.dbBufferPrewarm,
    description:
        "PostgreSQL parameter groups (RDS and Aurora, instance and cluster) preload pg_prewarm with autoprewarm on, " +
        "so a restarted or failed-over instance reloads its hot pages instead of serving the peak from disk.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.dbParameterGroup && args.type !== TYPES.dbClusterParameterGroup) return;
        if (!POSTGRES_FAMILY.test(String(args.props.family ?? ""))) return;
        const values = parameters(args.props);
        const preload = values.get("shared_preload_libraries");
        const autoprewarm = values.get("pg_prewarm.autoprewarm");
        // An Aurora instance's group may leave both to its cluster's group; whole-chain-warm judges the pair.
        const aurora = args.type === TYPES.dbParameterGroup && String(args.props.family).startsWith("aurora");
        if (aurora && preload === undefined && autoprewarm === undefined) return;
        const problems = prewarmParameterProblems(preload, autoprewarm);
        if (problems.length === 0) return;
        reportViolation(
            `${args.name} brings the buffer cache back cold after a restart or failover ` +
                `(${problems.join("; ")}). Set shared_preload_libraries to include pg_prewarm and ` +
                "pg_prewarm.autoprewarm to 1 (applyMethod pending-reboot).",
        );
    },
};

export const dbReadReplicas: StackValidationPolicy = {
    name: POLICY.dbReadReplicas,
    description:
        "Every database primary (an RDS primary, or an Aurora cluster's writer) has at least the event's number of " +
        "read replicas (Aurora: reader instances), so the peak's reads do not all land on the writer.",
    enforcementLevel: "mandatory",
    configSchema: readReplicasConfig,
    validateStack: (args, reportViolation) => {
        const { minReplicas } = settings(args, readReplicasConfig);
        const unknowns = new Unknowns();
        for (const db of databasesOf(args.resources)) {
            unknowns.check(db.primary, () => {
                if (db.replicaCount >= minReplicas) return;
                const missing = minReplicas - db.replicaCount;
                const remote = db.remote.map((r) => `${r.name} (${regionOf(r)})`).join(", ");
                reportViolation(
                    `${db.primary.name} has ${db.replicaCount} ${db.aurora ? "reader instance(s)" : "read replica(s)"}` +
                        (remote ? " in its region" : "") +
                        `; this event needs ${minReplicas}. ` +
                        (remote
                            ? `${remote} serve${db.remote.length > 1 ? "" : "s"} another region's readers, not this one's. `
                            : "") +
                        `Add ${missing} ` +
                        (db.aurora
                            ? `aws.rds.ClusterInstance(s) with clusterIdentifier: ${db.primary.name}.id`
                            : `RDS instance(s) with replicateSourceDb: ${db.primary.name}.identifier`) +
                        " (warmstack: database.readQps / database.readQpsPerReplica set how many).",
                    db.primary.urn,
                );
            });
        }
        // An attached stack's production database is not the stack's: it counts the replicas the stack adds to it.
        for (const db of attachedDatabasesOf(args.resources)) {
            unknowns.check(db.shownBy, () => {
                const readers = db.readers();
                if (readers >= minReplicas) return;
                reportViolation(
                    `production's ${db.kind} ${db.source} gets ${readers} ${db.counted} from this stack; this event ` +
                        `needs ${minReplicas}. ${db.fix} (warmstack: database.readQps / database.readQpsPerReplica ` +
                        "set how many).",
                    db.shownBy.urn,
                );
            });
        }
        unknowns.settle();
    },
};

/**
 * A database outside a stack with no database of its own, that the stack adds read capacity to (an attached stack's
 * production; a stack with databases of its own and a replica of another is not attached to it): an RDS primary
 * its replicas name, counted by those replicas in its region; or an Aurora cluster whose
 * `rds:cluster:ReadReplicaCount` target it scales, counted by the most readers its minimum is held at — the
 * target's, or a one-time action's at or before the event start (after the start, the give-back).
 */
interface AttachedDatabase {
    kind: "database" | "Aurora cluster";
    source: string;
    shownBy: PolicyResource;
    counted: string;
    readers: () => number;
    fix: string;
}

function attachedDatabasesOf(resources: PolicyResource[]): AttachedDatabase[] {
    if (databasesOf(resources).length > 0) return [];
    const bySource = new Map<string, PolicyResource[]>();
    for (const o of outsideReplicasOf(resources)) {
        if (o.remote || o.source === undefined) continue;
        bySource.set(o.source, [...(bySource.get(o.source) ?? []), o.replica]);
    }
    const rds = [...bySource].map(([source, replicas]): AttachedDatabase => ({
        kind: "database",
        source,
        shownBy: replicas[0],
        counted: "read replica(s) in its region",
        readers: () => replicas.length,
        fix: `Add RDS instance(s) with replicateSourceDb: "${source}"`,
    }));
    const clusters = ofType(resources, TYPES.dbCluster).map((c) => known(c.props, "clusterIdentifier"));
    const actions = ofType(resources, TYPES.scalingSchedule);
    const aurora = ofType(resources, TYPES.scalableTarget).flatMap((target): AttachedDatabase[] => {
        const id = /^cluster:(.+)$/.exec(stringOf(known(target.props, "resourceId")) ?? "")?.[1];
        if (known(target.props, "scalableDimension") !== READER_COUNT || !id || clusters.includes(id)) return [];
        return [
            {
                kind: "Aurora cluster",
                source: id,
                shownBy: target,
                counted: "reader(s) at the event",
                readers: () => {
                    const start = Date.parse(stringOf(eventStartOf(undefined, stackEventTags(resources))?.text) ?? "");
                    const raised = actions
                        .filter((a) => referencedBy(a, "resourceId", [target], ["resourceId"]).length > 0)
                        .filter((a) => Number.isNaN(start) || atInstant(a.props) <= start)
                        .map(
                            (a) =>
                                numberOf(
                                    isRecord(a.props.scalableTargetAction)
                                        ? a.props.scalableTargetAction.minCapacity
                                        : undefined,
                                ) ?? 0,
                        );
                    return Math.max(numberOf(target.props.minCapacity) ?? 0, ...raised);
                },
                fix: `Raise the minimum of ${target.name} (rds:cluster:ReadReplicaCount) before the event`,
            },
        ];
    });
    return [...rds, ...aurora];
}

/** A CachePrewarm's replica warm: the replicas its replicaHosts name, and whether it loads any relation. */
function replicaWarms(resources: PolicyResource[]) {
    return ofType(resources, TYPES.cachePrewarm).map((prewarm) => ({
        prewarm,
        relations: listOf(prewarm.props[PREWARM_INPUTS.relations]).filter((r) => typeof r === "string" && r !== ""),
        covers: (replica: PolicyResource) => {
            const hosts = listOf(known(prewarm.props, PREWARM_INPUTS.replicaHosts));
            const byDependency = referencedBy(prewarm, PREWARM_INPUTS.replicaHosts, [replica], []).length > 0;
            return (
                byDependency ||
                ["address", "endpoint"].some((key) => {
                    const value = known(replica.props, key);
                    return value !== undefined && hosts.includes(value);
                })
            );
        },
    }));
}

/** Why `replica` opens the event with cold buffers; undefined when a warm with relations covers it. */
export function replicaBufferProblem(replica: PolicyResource, resources: PolicyResource[]): string | undefined {
    const covering = replicaWarms(resources).filter((w) => w.covers(replica));
    if (covering.length === 0) {
        return (
            `no warm names it in its ${PREWARM_INPUTS.replicaHosts}: it opens the event with cold buffers, and ` +
            "RDS loads a new replica's blocks from storage lazily, the first read of each slow"
        );
    }
    if (covering.some((w) => w.relations.length > 0)) return undefined;
    return (
        `${covering.map((w) => w.prewarm.name).join(", ")} names it but loads no relation (` +
        `${PREWARM_INPUTS.relations} is empty): its buffers stay cold`
    );
}

export const replicaBuffersWarm: StackValidationPolicy = {
    name: POLICY.replicaBuffersWarm,
    description:
        "Each read replica (and Aurora instance) is covered by a database warm with at least one relation: a " +
        "CachePrewarm whose replicaHosts name it loads the hot tables and indexes into its buffers before the event.",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        eachKnown(readersOf(args.resources), (replica) => {
            const problem = replicaBufferProblem(replica, args.resources);
            if (problem === undefined) return;
            reportViolation(
                `${replica.name}: ${problem}. Add its address to a CachePrewarm's ${PREWARM_INPUTS.replicaHosts} ` +
                    `and name the hot tables and indexes in its ${PREWARM_INPUTS.relations} ` +
                    "(warmstack: database.prewarm.relations, e.g. catalog.products, catalog.products_pkey).",
                replica.urn,
            );
        });
    },
};

/** Why an Aurora cluster opens cold after an idle spell; undefined when it stays on. */
export function autoPauseProblem(cluster: Props): string | undefined {
    const scaling = cluster.serverlessv2ScalingConfiguration;
    if (!isRecord(scaling) || numberOf(scaling.minCapacity) !== 0) return undefined;
    const after = numberOf(scaling.secondsUntilAutoPause) ?? AURORA_AUTO_PAUSE_DEFAULT_SECONDS;
    return (
        `Aurora Serverless v2 with minCapacity 0 pauses after ${after} s without connections: a paused cluster ` +
        "takes seconds to resume on the first connection and resumes with an empty buffer cache"
    );
}

/** Aurora's secondsUntilAutoPause when minCapacity is 0 and it is left out. */
const AURORA_AUTO_PAUSE_DEFAULT_SECONDS = 300;

export const dbAlwaysOn: ResourceValidationPolicy = {
    name: POLICY.dbAlwaysOn,
    description:
        "Aurora PostgreSQL clusters never pause: a Serverless v2 cluster with minCapacity 0 pauses when idle and is " +
        "cold when the event starts.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.dbCluster || !isPostgres(args.props)) return;
        const problem = autoPauseProblem(args.props);
        if (problem === undefined) return;
        reportViolation(
            `${args.name}: ${problem}. Set serverlessv2ScalingConfiguration.minCapacity to 0.5 or more (enough ` +
                "ACUs to hold the hot set in memory) and drop secondsUntilAutoPause.",
        );
    },
};
