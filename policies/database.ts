// The database tier: RDS PostgreSQL instances — private, encrypted, with read replicas for the peak and a
// buffer cache that comes back warm after a restart (pg_prewarm's autoprewarm).
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { readReplicasConfig, settings } from "./config";
import { TYPES } from "./contract";
import {
    bullets,
    eachKnown,
    isRecord,
    isSet,
    isTrue,
    listOf,
    numberOf,
    ofType,
    Props,
    referencedBy,
    stringOf,
} from "./props";

export const isReplica = (db: Props) => isSet(db, "replicateSourceDb");

/** The read replicas streaming from `primary`, linked through their replicateSourceDb. */
export const replicasOf = (primary: PolicyResource, instances: PolicyResource[]) =>
    instances.filter(
        (db) =>
            isReplica(db.props) && referencedBy(db, "replicateSourceDb", [primary], ["identifier", "arn"]).length > 0,
    );

/** The stack's parameter group a DB instance runs with; undefined for the RDS default group. */
export const parameterGroupOf = (db: PolicyResource, groups: PolicyResource[]): PolicyResource | undefined =>
    referencedBy(db, "parameterGroupName", groups, ["name"])[0];

function parameters(group: Props): Map<string, string> {
    const values = new Map<string, string>();
    for (const p of listOf(group.parameters)) {
        if (isRecord(p) && typeof p.name === "string") values.set(p.name, stringOf(p.value) ?? String(p.value));
    }
    return values;
}

/** max_connections pinned to a number; undefined when left to RDS's formula of the instance's memory. */
export const maxConnectionsOf = (group: Props) => numberOf(parameters(group).get("max_connections"));

/** Why a PostgreSQL parameter group would bring the buffer cache back cold; empty when it is warm. */
export function bufferPrewarmProblems(group: Props): string[] {
    const values = parameters(group);
    const libraries = (values.get("shared_preload_libraries") ?? "").split(",").map((l) => l.trim());
    const problems: string[] = [];
    if (!libraries.includes("pg_prewarm")) problems.push("shared_preload_libraries does not load pg_prewarm");
    // autoprewarm is on by default once pg_prewarm is loaded: only an explicit off is cold.
    const autoprewarm = values.get("pg_prewarm.autoprewarm");
    if (autoprewarm !== undefined && !["1", "on", "true", "yes"].includes(autoprewarm.toLowerCase())) {
        problems.push(`pg_prewarm.autoprewarm is ${autoprewarm}`);
    }
    return problems;
}

export const dbPrivateEncrypted: ResourceValidationPolicy = {
    name: "db-private-encrypted",
    description: "RDS instances encrypt their storage and are not reachable from the internet.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.dbInstance) return;
        const db = args.props;
        const problems: string[] = [];
        // A replica inherits its source's encryption: only an explicit false is unencrypted.
        const storageEncrypted = db.storageEncrypted;
        const inherits = isReplica(db) && (storageEncrypted === undefined || storageEncrypted === null);
        if (!isTrue(storageEncrypted) && !inherits) {
            problems.push(
                "storage is unencrypted — set storageEncrypted to true (an existing instance: restore " +
                    "it from an encrypted snapshot copy)",
            );
        }
        if (isTrue(db.publiclyAccessible)) {
            problems.push(
                "it is reachable from the internet — set publiclyAccessible to false and admit only the " +
                    "app tier's security group",
            );
        }
        if (problems.length > 0) reportViolation(`${args.name}:\n${bullets(problems)}`);
    },
};

export const dbBufferPrewarm: ResourceValidationPolicy = {
    name: "db-buffer-prewarm",
    description:
        "PostgreSQL parameter groups preload pg_prewarm with autoprewarm on, so a restarted or failed-over " +
        "instance reloads its hot pages instead of serving the peak from disk.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.dbParameterGroup || !String(args.props.family ?? "").startsWith("postgres")) return;
        const problems = bufferPrewarmProblems(args.props);
        if (problems.length === 0) return;
        reportViolation(
            `${args.name} brings the buffer cache back cold after a restart or failover ` +
                `(${problems.join("; ")}). Set shared_preload_libraries to include pg_prewarm and ` +
                "pg_prewarm.autoprewarm to 1 (applyMethod pending-reboot).",
        );
    },
};

export const dbReadReplicas: StackValidationPolicy = {
    name: "db-read-replicas",
    description:
        "Every database primary has at least the event's number of read replicas, so the peak's reads " +
        "do not all land on the writer.",
    enforcementLevel: "mandatory",
    configSchema: readReplicasConfig,
    validateStack: (args, reportViolation) => {
        const { minReplicas } = settings(args, readReplicasConfig);
        const instances = ofType(args.resources, TYPES.dbInstance);
        eachKnown(instances, (db) => {
            if (isReplica(db.props)) return;
            const replicas = replicasOf(db, instances).length;
            if (replicas >= minReplicas) return;
            reportViolation(
                `${db.name} has ${replicas} read replica(s); this event needs ${minReplicas}. Add ` +
                    `${minReplicas - replicas} RDS instance(s) with replicateSourceDb: ${db.name}.identifier ` +
                    "(warmstack: database.readQps / database.readQpsPerReplica set how many).",
                db.urn,
            );
        });
    },
};
