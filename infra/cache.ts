// WarmCache: an ElastiCache Redis replication group that survives a node loss mid-event (Multi-AZ, automatic
// failover, ≥ 2 nodes), encrypted both ways, behind an auth token that only ever exists as a Pulumi secret.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { WarmstackConfig } from "./config";
import { REDIS_PORT } from "./network";
import { ReadinessPlan } from "./plan";

export interface WarmCacheArgs {
    config: WarmstackConfig["cache"];
    plan: ReadinessPlan["cache"];
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
}

export class WarmCache extends pulumi.ComponentResource {
    readonly primaryEndpoint: pulumi.Output<string>;
    readonly readerEndpoint: pulumi.Output<string>;
    readonly port = REDIS_PORT;
    readonly authToken: pulumi.Output<string>;
    /** The token in Secrets Manager, for the agents and the warmer to read at run time (never via user data). */
    readonly authTokenSecretArn: pulumi.Output<string>;
    readonly group: aws.elasticache.ReplicationGroup;

    constructor(name: string, args: WarmCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:cache:WarmCache", name, {}, opts);
        const parent = { parent: this };

        // ElastiCache tokens take 16–128 printable characters but not / " @: letters and digits are always safe.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, parent);
        const subnets = new aws.elasticache.SubnetGroup(`${name}-subnets`, {
            description: "warmstack cache subnets",
            subnetIds: args.subnetIds,
        }, parent);
        this.group = new aws.elasticache.ReplicationGroup(`${name}-redis`, {
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
        }, { parent: this, additionalSecretOutputs: ["authToken"] });

        const secret = new aws.secretsmanager.Secret(`${name}-auth-token`, {
            description: "warmstack cache auth token",
            recoveryWindowInDays: 7,
        }, parent);
        new aws.secretsmanager.SecretVersion(`${name}-auth-token`, { secretId: secret.id, secretString: token.result }, parent);

        this.primaryEndpoint = this.group.primaryEndpointAddress;
        this.authTokenSecretArn = secret.arn;
        this.readerEndpoint = this.group.readerEndpointAddress;
        this.authToken = pulumi.secret(token.result);
        this.registerOutputs({ primaryEndpoint: this.primaryEndpoint, readerEndpoint: this.readerEndpoint });
    }
}
