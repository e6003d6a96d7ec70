// WarmDatabase: an RDS PostgreSQL primary plus the planned read replicas, whose buffer caches come back warm
// after a restart (pg_prewarm's autoprewarm). Thin: every number comes from the plan.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { WarmstackConfig } from "./config";
import { POSTGRES_PORT } from "./network";
import { ReadinessPlan } from "./plan";

export const MASTER_USERNAME = "warmstack";

export interface WarmDatabaseArgs {
    config: WarmstackConfig["database"];
    plan: ReadinessPlan["database"];
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
}

/** The parameters that make the buffer cache survive restarts and pin the connection limit the plan assumed. */
function databaseParameters(maxConnections: number): aws.types.input.rds.ParameterGroupParameter[] {
    return [
        { name: "shared_preload_libraries", value: "pg_prewarm", applyMethod: "pending-reboot" },
        { name: "pg_prewarm.autoprewarm", value: "1", applyMethod: "pending-reboot" },
        { name: "max_connections", value: String(maxConnections), applyMethod: "pending-reboot" },
    ];
}

export class WarmDatabase extends pulumi.ComponentResource {
    readonly writerEndpoint: pulumi.Output<string>;
    readonly readerEndpoints: pulumi.Output<string[]>;
    /** Secrets Manager secret RDS keeps the master password in: the password never enters Pulumi state. */
    readonly masterSecretArn: pulumi.Output<string>;
    /** Read from that secret at deploy time for the cache pre-warm; a Pulumi secret, never plaintext in state. */
    readonly masterPassword: pulumi.Output<string>;
    readonly port = POSTGRES_PORT;
    readonly databaseName: string;
    readonly primary: aws.rds.Instance;
    readonly replicas: aws.rds.Instance[];

    constructor(name: string, args: WarmDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:database:WarmDatabase", name, {}, opts);
        const parent = { parent: this };
        const major = args.config.engineVersion.split(".")[0];

        const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { subnetIds: args.subnetIds }, parent);
        const parameters = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                family: `postgres${major}`,
                description: "warmstack: pg_prewarm autoprewarm, planned max_connections",
                parameters: databaseParameters(args.plan.maxConnections),
            },
            parent,
        );

        const shared = {
            instanceClass: args.config.instanceClass,
            storageEncrypted: true,
            publiclyAccessible: false,
            vpcSecurityGroupIds: [args.securityGroupId],
            parameterGroupName: parameters.name,
            performanceInsightsEnabled: true,
        };
        this.primary = new aws.rds.Instance(
            `${name}-primary`,
            {
                ...shared,
                engine: "postgres",
                engineVersion: args.config.engineVersion,
                allocatedStorage: args.config.allocatedStorageGb,
                storageType: "gp3",
                multiAz: true,
                dbSubnetGroupName: subnets.name,
                dbName: args.config.name,
                username: MASTER_USERNAME,
                manageMasterUserPassword: true,
                // Replicas stream from backups' WAL: retention must be on.
                backupRetentionPeriod: 7,
                finalSnapshotIdentifier: `${name}-final`,
                copyTagsToSnapshot: true,
            },
            parent,
        );
        this.replicas = Array.from(
            { length: args.plan.replicas },
            (_, i) =>
                new aws.rds.Instance(
                    `${name}-replica-${i + 1}`,
                    {
                        ...shared,
                        replicateSourceDb: this.primary.identifier,
                        skipFinalSnapshot: true,
                    },
                    parent,
                ),
        );

        this.writerEndpoint = this.primary.address;
        this.readerEndpoints = pulumi.all(this.replicas.map((r) => r.address));
        this.masterSecretArn = this.primary.masterUserSecrets.apply((s) => s[0]?.secretArn ?? "");
        const secret = aws.secretsmanager.getSecretVersionOutput({ secretId: this.masterSecretArn }, parent);
        this.masterPassword = pulumi.secret(
            secret.secretString.apply((text) => (JSON.parse(text) as { password: string }).password),
        );
        this.databaseName = args.config.name;
        this.registerOutputs({ writerEndpoint: this.writerEndpoint, readerEndpoints: this.readerEndpoints });
    }
}
