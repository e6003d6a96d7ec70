// WarmCache: an ElastiCache Redis replication group that survives a node loss mid-event (Multi-AZ, automatic
// failover, a replica per shard), encrypted both ways, behind an auth token that only ever exists as a Pulumi
// secret. One shard while the hot set fits a node; cluster mode with the planned shards when it does not.
// Warming it is the data tier's job (infra/prewarm.ts): this component is only the cache.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CACHE_TAGS, TAGS } from "../policies/shared/contract";
import { WarmstackConfig } from "../model/config";
import { REDIS_PORT } from "./network";
import { ReadinessPlan } from "../model/plan";

export interface WarmCacheArgs {
    config: WarmstackConfig["cache"];
    plan: ReadinessPlan["cache"];
    /** The event the cache must be warm for: its tags let the pack judge the scheduled warm on its own. */
    event?: ReadinessPlan["event"];
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
}

/**
 * The group's shape from the plan: `numCacheClusters` for one shard, or `numNodeGroups` × `replicasPerNodeGroup`
 * with a cluster-enabled parameter group (the engine major's `default.redisN.cluster.on`).
 */
export function groupShape(
    plan: ReadinessPlan["cache"],
    engineVersion: string,
): Pick<
    aws.elasticache.ReplicationGroupArgs,
    "numCacheClusters" | "numNodeGroups" | "replicasPerNodeGroup" | "parameterGroupName"
> {
    if (!plan.clusterMode) return { numCacheClusters: plan.nodes };
    const major = engineVersion.split(".")[0];
    // Redis 6's families carry ".x" (default.redis6.x.cluster.on); 7 and later do not.
    const family = major === "6" ? "redis6.x" : `redis${major}`;
    return {
        numNodeGroups: plan.shards,
        replicasPerNodeGroup: plan.replicasPerShard,
        parameterGroupName: `default.${family}.cluster.on`,
    };
}

/** The tags the pack reads on the group (policies/shared/contract.ts): the hot set, and the event it must be warm for. */
function cacheTags(plan: ReadinessPlan["cache"], event: ReadinessPlan["event"]): Record<string, string> {
    return {
        [CACHE_TAGS.hotSetBytes]: String(plan.hotSetBytes),
        ...(event && { [TAGS.event]: event.name, [TAGS.eventStart]: event.start }),
    };
}

export class WarmCache extends pulumi.ComponentResource {
    /** Where clients connect: the primary endpoint, or in cluster mode the configuration endpoint. */
    readonly endpoint: pulumi.Output<string>;
    /** The replicas' endpoint; in cluster mode the configuration endpoint (clients read replicas per shard). */
    readonly readerEndpoint: pulumi.Output<string>;
    /** Clients must speak Redis Cluster (follow MOVED/ASK) to `endpoint`. */
    readonly clusterMode: boolean;
    readonly port = REDIS_PORT;
    /** The token in Secrets Manager, for the agents and the scheduled warm to read at run time (never via user data). */
    readonly authTokenSecretArn: pulumi.Output<string>;
    /** The token itself, a Pulumi secret, for the deploy-time warm. */
    readonly authToken: pulumi.Output<string>;
    readonly group: aws.elasticache.ReplicationGroup;

    constructor(name: string, args: WarmCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:cache:WarmCache", name, {}, opts);
        const parent = { parent: this };

        // ElastiCache tokens take 16–128 printable characters but not / " @: 64 letters and digits (~380 bits)
        // are always safe and far beyond guessing; nothing in the plan bears on it.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, parent);
        const subnets = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            {
                description: "warmstack cache subnets",
                subnetIds: args.subnetIds,
            },
            parent,
        );
        this.clusterMode = args.plan.clusterMode;
        this.group = new aws.elasticache.ReplicationGroup(
            `${name}-redis`,
            {
                description: "warmstack cache",
                engine: "redis",
                engineVersion: args.config.engineVersion,
                nodeType: args.config.nodeType,
                ...groupShape(args.plan, args.config.engineVersion),
                port: REDIS_PORT,
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                atRestEncryptionEnabled: true,
                transitEncryptionEnabled: true,
                authToken: token.result,
                subnetGroupName: subnets.name,
                securityGroupIds: [args.securityGroupId],
                // Fixed: a cache is rebuilt by the warm, not restored; one daily snapshot is enough for forensics.
                snapshotRetentionLimit: 1,
                tags: cacheTags(args.plan, args.event),
            },
            { parent: this, additionalSecretOutputs: ["authToken"] },
        );

        const secret = new aws.secretsmanager.Secret(
            `${name}-auth-token`,
            {
                description: "warmstack cache auth token",
                // Fixed: a week to undo a mistaken teardown before the token is gone.
                recoveryWindowInDays: 7,
            },
            parent,
        );
        new aws.secretsmanager.SecretVersion(
            `${name}-auth-token`,
            { secretId: secret.id, secretString: token.result },
            parent,
        );

        this.endpoint = this.clusterMode ? this.group.configurationEndpointAddress : this.group.primaryEndpointAddress;
        this.readerEndpoint = this.clusterMode
            ? this.group.configurationEndpointAddress
            : this.group.readerEndpointAddress;
        this.authTokenSecretArn = secret.arn;
        this.authToken = pulumi.secret(token.result);
        this.registerOutputs({ endpoint: this.endpoint, readerEndpoint: this.readerEndpoint });
    }
}
