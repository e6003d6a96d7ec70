// WarmCache: an ElastiCache Redis replication group that survives a node loss mid-event (Multi-AZ, automatic
// failover, ≥ 2 nodes), encrypted both ways, behind an auth token that only ever exists as a Pulumi secret.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CachePrewarm } from "../warmers/provider/resource";
import { WarmstackConfig } from "./config";
import { MASTER_USERNAME, WarmDatabase } from "./database";
import { REDIS_PORT } from "./network";
import { ReadinessPlan } from "./plan";
import { WarmerFunction } from "./warmer";

export interface WarmCacheArgs {
    config: WarmstackConfig["cache"];
    plan: ReadinessPlan["cache"];
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
    /** The pre-warm reads from the database's first replica, once the replicas exist. */
    database: WarmDatabase;
    warmerSecurityGroupId: pulumi.Input<string>;
}

export class WarmCache extends pulumi.ComponentResource {
    readonly primaryEndpoint: pulumi.Output<string>;
    readonly readerEndpoint: pulumi.Output<string>;
    readonly port = REDIS_PORT;
    /** The token in Secrets Manager, for the agents and the warmer to read at run time (never via user data). */
    readonly authTokenSecretArn: pulumi.Output<string>;
    readonly group: aws.elasticache.ReplicationGroup;
    readonly prewarm: CachePrewarm;

    constructor(name: string, args: WarmCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:cache:WarmCache", name, {}, opts);
        const parent = { parent: this };

        // ElastiCache tokens take 16–128 printable characters but not / " @: letters and digits are always safe.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, parent);
        const subnets = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            {
                description: "warmstack cache subnets",
                subnetIds: args.subnetIds,
            },
            parent,
        );
        this.group = new aws.elasticache.ReplicationGroup(
            `${name}-redis`,
            {
                description: "warmstack cache",
                engine: "redis",
                engineVersion: args.config.engineVersion,
                nodeType: args.config.nodeType,
                numCacheClusters: args.plan.nodes,
                port: REDIS_PORT,
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                atRestEncryptionEnabled: true,
                transitEncryptionEnabled: true,
                authToken: token.result,
                subnetGroupName: subnets.name,
                securityGroupIds: [args.securityGroupId],
                snapshotRetentionLimit: 1,
            },
            { parent: this, additionalSecretOutputs: ["authToken"] },
        );

        const secret = new aws.secretsmanager.Secret(
            `${name}-auth-token`,
            {
                description: "warmstack cache auth token",
                recoveryWindowInDays: 7,
            },
            parent,
        );
        new aws.secretsmanager.SecretVersion(
            `${name}-auth-token`,
            { secretId: secret.id, secretString: token.result },
            parent,
        );

        this.primaryEndpoint = this.group.primaryEndpointAddress;
        this.authTokenSecretArn = secret.arn;
        this.readerEndpoint = this.group.readerEndpointAddress;

        const { prewarm } = args.config;
        const warmer =
            prewarm.mode === "lambda"
                ? new WarmerFunction(
                      `${name}-warmer`,
                      {
                          subnetIds: args.subnetIds,
                          securityGroupId: args.warmerSecurityGroupId,
                          timeoutSeconds: prewarm.timeoutSeconds,
                      },
                      parent,
                  )
                : undefined;
        const [reader] = args.database.replicas;
        this.prewarm = new CachePrewarm(
            `${name}-prewarm`,
            {
                replicationGroupId: this.group.id,
                redisHost: this.primaryEndpoint,
                redisPort: REDIS_PORT,
                redisTls: true,
                authToken: token.result,
                // A replica, never the primary: the warm's full scan must not compete with the writes.
                sourceHost: reader.address,
                sourcePort: args.database.port,
                sourceSsl: "require",
                database: args.database.databaseName,
                user: MASTER_USERNAME,
                password: args.database.masterPassword,
                query: prewarm.query,
                topKeys: args.plan.prewarmKeys,
                ttlSeconds: args.plan.ttlSeconds,
                ttlJitter: args.plan.ttlJitter,
                minWarmth: args.plan.minWarmth,
                mode: prewarm.mode,
                functionName: warmer?.functionName,
                region: aws.getRegionOutput({}, parent).region,
                timeoutSeconds: prewarm.timeoutSeconds,
            },
            { parent: this, dependsOn: [this.group, ...args.database.replicas] },
        );

        this.registerOutputs({ primaryEndpoint: this.primaryEndpoint, readerEndpoint: this.readerEndpoint });
    }
}
