// WarmDatabase: an RDS PostgreSQL primary plus the planned read replicas, whose buffer caches come back warm
// after a restart (pg_prewarm's autoprewarm), and the least-privilege roles the warm tooling logs in as.
// Thin: the replica count and max_connections come from the plan; the config names the engine, class, storage
// and database; the few fixed settings below say why they are fixed.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { WarmstackConfig } from "../model/config";
import { POSTGRES_PORT } from "./network";
import { ReadinessPlan } from "../model/plan";

export const MASTER_USERNAME = "warmstack";
/** Read-only (pg_read_all_data): the cache warm's query and the replicas' pg_prewarm. */
export const WARMER_USERNAME = "warmstack_warmer";
/** Login only: the agent opens and validates its pools, it reads nothing. */
export const AGENT_USERNAME = "warmstack_agent";

export interface WarmDatabaseArgs {
    config: WarmstackConfig["database"];
    plan: ReadinessPlan["database"];
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupId: pulumi.Input<string>;
}

/** A database role the stack creates: its name, its generated password (secret) and where it is kept. */
export interface DatabaseRole {
    user: string;
    password: pulumi.Output<string>;
    /** Secrets Manager secret holding `{ "username", "password" }`: what the agent and the scheduled warm read. */
    secretArn: pulumi.Output<string>;
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
    /** Read from that secret at deploy time, for the deploy-time setup only; a Pulumi secret, never plaintext. */
    readonly masterPassword: pulumi.Output<string>;
    readonly warmerRole: DatabaseRole;
    readonly agentRole: DatabaseRole;
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
                // Fixed: replicas need automated backups on; a week covers a long event weekend's restores.
                backupRetentionPeriod: 7,
                // One per stack: the next event's teardown must not collide with this one's snapshot.
                finalSnapshotIdentifier: `${pulumi.getProject()}-${pulumi.getStack()}-${name}-final`,
                copyTagsToSnapshot: true,
                // The event's data outlives a stray `pulumi destroy`; docs/deployment.md says how to tear down.
                deletionProtection: true,
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
                        // A replica holds nothing the primary's final snapshot does not.
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
        this.warmerRole = this.role(`${name}-warmer`, WARMER_USERNAME, "read-only role of the cache and replica warm");
        this.agentRole = this.role(`${name}-agent`, AGENT_USERNAME, "login-only role of the instances' agent");
        this.databaseName = args.config.name;
        this.registerOutputs({ writerEndpoint: this.writerEndpoint, readerEndpoints: this.readerEndpoints });
    }

    /** A generated password kept in Secrets Manager; the CachePrewarm's setup creates the role with it. */
    private role(name: string, user: string, description: string): DatabaseRole {
        const parent = { parent: this };
        // Letters and digits: safe in a URL, a libpq string and a shell word alike; 40 of them are ~238 bits.
        const password = new random.RandomPassword(name, { length: 40, special: false }, parent);
        const secret = new aws.secretsmanager.Secret(
            name,
            // Fixed: a week to undo a mistaken teardown before the password is gone.
            { description: `warmstack database ${description}`, recoveryWindowInDays: 7 },
            parent,
        );
        new aws.secretsmanager.SecretVersion(
            name,
            {
                secretId: secret.id,
                secretString: pulumi.secret(pulumi.jsonStringify({ username: user, password: password.result })),
            },
            parent,
        );
        return { user, password: pulumi.secret(password.result), secretArn: secret.arn };
    }
}
