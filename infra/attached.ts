// The event stack attached to production: read production's parts (infra/production.ts), attach the config to
// them (model/production.ts: the plan on their real values, or every reason it cannot), then add the event's
// warmth — and nothing of production itself. `pulumi destroy` removes what is added here and leaves production
// as it was. The built path (infra/stack.ts's warmstack()) is untouched by this file.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DESIRED_COUNT_DIMENSION, ECS_NAMESPACE } from "../model/plan/ecs";
import { PREWARM_OUTPUT_FIELDS } from "../model/prewarm-contract";
import { ConfigError, WarmstackConfig } from "../model/config";
import { attach, Attachment, ProductionFacts, productionConfig } from "../model/production";
import { StoredAgent } from "./agent-artifact";
import { AgentDelivery } from "./agent-delivery";
import { alertTopicArn } from "./alerts";
import { EVENT_HOOK_NAME, EventCapacity, type EventCapacityArgs } from "./event-capacity";
import { eventTags } from "./compute";
import { EventReaders, EventReplicas } from "./event-database";
import { HTTPS_PORT } from "./network";
import { DataPrewarm } from "./prewarm";
import { stackPrices } from "./price-list";
import type { ListedPrices } from "../model/price-list";
import { WarmFunctions } from "./functions";
import { ProductionNames, productionNames, readProduction } from "./production";
import { rampedTarget } from "./ramped-target";
import { AgentArtifact, agentConfigFor } from "./userdata";

/**
 * Where the event's resources go in the program: under `parent` (a component of the user's program, whose type
 * then prefixes every URN, so no name of theirs collides with ours), each logical name after `prefix-` (so two
 * attachments in one program do not collide with each other). The stack's own program gives neither: its URNs
 * are the names below as they are.
 */
export interface AttachScope {
    parent?: pulumi.Resource;
    prefix?: string;
}

const scoped = (scope: AttachScope) => ({
    name: (base: string) => (scope.prefix ? `${scope.prefix}-${base}` : base),
    opts: scope.parent ? { parent: scope.parent } : {},
});

/** The warmer function's group in production's VPC, and the rules admitting it to the cache and the database. */
function warmerAccess(facts: ProductionFacts, scope: AttachScope) {
    const { name, opts } = scoped(scope);
    const warmer = new aws.ec2.SecurityGroup(
        name("warmer"),
        {
            vpcId: facts.group.vpcId,
            description: "warmstack event warmer: to production's cache and database, and HTTPS to AWS APIs",
            tags: { "warmstack:tier": "warmer" },
        },
        opts,
    );
    const rules: pulumi.Resource[] = [];
    const admit = (tier: string, port: number, groups: string[]) =>
        groups.forEach((groupId, i) => {
            rules.push(
                new aws.vpc.SecurityGroupIngressRule(
                    name(`warmer-to-${tier}-${i + 1}`),
                    {
                        securityGroupId: groupId,
                        referencedSecurityGroupId: warmer.id,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description: "warmstack: the event's warm",
                    },
                    opts,
                ),
                new aws.vpc.SecurityGroupEgressRule(
                    name(`warmer-${tier}-${i + 1}`),
                    {
                        securityGroupId: warmer.id,
                        referencedSecurityGroupId: groupId,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description: `production's ${tier}`,
                    },
                    opts,
                ),
            );
        });
    admit("cache", facts.cache.port, facts.cache.securityGroupIds);
    admit("database", facts.database.port, facts.database.securityGroupIds);
    // Secrets Manager and Lambda's own APIs, through production's NAT or endpoints.
    rules.push(
        new aws.vpc.SecurityGroupEgressRule(
            name("warmer-https"),
            {
                securityGroupId: warmer.id,
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "tcp",
                fromPort: HTTPS_PORT,
                toPort: HTTPS_PORT,
                description: "AWS APIs (Secrets Manager)",
            },
            opts,
        ),
    );
    return { securityGroupId: warmer.id, rules };
}

/** The pool the event holds on production's group: the plan's (put or raised), or production's own, held. */
function poolOfEvent(a: Attachment): Pick<EventCapacityArgs, "warmPool"> {
    const own = a.productionPool;
    if (a.warmPool === "production" && own) {
        return { warmPool: { ...own, productionPool: own } };
    }
    if (!a.poolRecord) return {};
    return { warmPool: { ...a.plan.warmPool, productionPool: own, record: a.poolRecord } };
}

/** The event's resources on production, from an attachment that passed every check. */
function attached(
    config: WarmstackConfig,
    a: Attachment,
    names: ProductionNames,
    facts: ProductionFacts,
    scope: AttachScope,
) {
    const { plan } = a;
    const { name, opts } = scoped(scope);
    for (const warning of plan.warnings) pulumi.log.warn(warning, scope.parent);
    const region = aws.getRegionOutput({}, opts).region;

    const capacity = new EventCapacity(
        name("app"),
        {
            groupName: facts.group.name,
            launchHookTimeoutSeconds: plan.scaling.launchHookTimeoutSeconds,
            ...poolOfEvent(a),
            // Not the pool tags: production's database is not the stack's, so the pack cannot hold its budget to them.
            groupFacts: { capacity: a.own, tags: eventTags(plan) },
            schedule: a.schedule,
            region,
        },
        opts,
    );

    if (a.ecsService) {
        // The same ramp as a built stack's service (infra/ecs.ts), on production's cluster.
        rampedTarget(
            name("ecs-service"),
            {
                serviceNamespace: ECS_NAMESPACE,
                scalableDimension: DESIRED_COUNT_DIMENSION,
                resourceId: a.ecsService.resourceId,
                capacity: a.ecsService.capacity,
                schedule: a.ecsService.schedule,
            },
            opts,
        );
    }

    const db = facts.database;
    const replicas =
        db.kind === "instance"
            ? new EventReplicas(
                  name("db"),
                  {
                      primaryIdentifier: db.identifier,
                      replicas: plan.database.replicas,
                      instanceClass: a.database.replicaClass,
                      subnetGroupName: db.subnetGroup,
                      securityGroupIds: db.securityGroupIds,
                      ...(config.production?.readerRecord && { readerRecord: config.production.readerRecord }),
                  },
                  opts,
              )
            : undefined;
    if (db.kind === "cluster") {
        new EventReaders(
            name("db"),
            {
                clusterIdentifier: db.identifier,
                readers: a.database,
                maxReaders: Math.max(a.database.readersNow, plan.database.replicas),
            },
            opts,
        );
    }
    const readerHosts = replicas ? replicas.addresses : pulumi.output([db.reader as string]);

    const warmerSecret = aws.secretsmanager.getSecretVersionOutput({ secretId: names.databaseWarmerSecretArn }, opts);
    const warmerLogin = warmerSecret.secretString.apply(
        (text) => JSON.parse(text) as { username: string; password: string },
    );
    const tokenSecretArn = names.cacheAuthTokenSecretArn as string;
    const token = aws.secretsmanager.getSecretVersionOutput({ secretId: tokenSecretArn }, opts).secretString;

    const access = warmerAccess(facts, scope);
    const alerts = alertTopicArn(name("alerts"), config.alerts.topicArn, opts);
    const data = new DataPrewarm(
        name("data"),
        {
            plan,
            query: config.cache.prewarm.query,
            mode: config.cache.prewarm.mode,
            cache: {
                replicationGroupId: facts.cache.id,
                host: facts.cache.host,
                port: facts.cache.port,
                authToken: pulumi.secret(token),
                authTokenSecretArn: tokenSecretArn,
            },
            database: {
                name: config.database.name,
                port: db.port,
                primaryHost: db.writer,
                replicaHosts: readerHosts,
                warmer: {
                    user: pulumi.unsecret(warmerLogin.apply((l) => l.username)),
                    password: pulumi.secret(warmerLogin.apply((l) => l.password)),
                    secretArn: names.databaseWarmerSecretArn,
                },
            },
            subnetIds: facts.group.subnetIds,
            securityGroupId: access.securityGroupId,
            alertTopicArn: alerts,
            after: [...access.rules, ...(replicas ? [replicas] : [])],
        },
        opts,
    );

    const stored = config.compute.agent.source === "stack" ? new StoredAgent(name("agent"), opts) : undefined;
    const agent = stored ? stored.artifact : pulumi.output<AgentArtifact>({ source: "ami" });
    const agentConfig = pulumi
        .all([readerHosts, pulumi.unsecret(warmerLogin.apply((l) => l.username))])
        .apply(([readers, user]) =>
            agentConfigFor(plan, {
                groupName: facts.group.name,
                hookName: EVENT_HOOK_NAME,
                databaseWriter: db.writer,
                databaseReaders: readers,
                databasePort: db.port,
                databaseName: config.database.name,
                databaseUser: user,
                databaseSecretArn: names.databaseWarmerSecretArn,
                cacheHost: facts.cache.host,
                cachePort: facts.cache.port,
                cacheTokenSecretArn: tokenSecretArn,
                cacheClusterMode: facts.cache.clusterMode,
                appPort: config.compute.appPort,
                healthCheckPath: config.compute.healthCheckPath,
            }),
        );
    new AgentDelivery(
        name("agent"),
        {
            groupName: facts.group.name,
            groupArn: facts.group.arn,
            hookName: EVENT_HOOK_NAME,
            instanceRoleName: a.instanceRoleName,
            agentConfig,
            agent,
            agentObjectArn: stored?.objectArn,
            secretArns: [names.databaseWarmerSecretArn, tokenSecretArn],
        },
        { ...opts, dependsOn: [capacity.hook] },
    );

    // Production's functions ramp as a built stack's do: their provisioned concurrency is the event's to raise.
    const functions =
        plan.functions.functions.length > 0
            ? new WarmFunctions(name("functions"), { functions: plan.functions.functions }, opts)
            : undefined;

    return {
        plan,
        functionTargets: functions ? functions.targets : {},
        attachedTo: {
            autoScalingGroup: facts.group.name,
            cacheReplicationGroup: facts.cache.id,
            [db.kind === "instance" ? "databaseInstance" : "databaseCluster"]: db.identifier,
        },
        /** What the ramp-down gives back: the group's own sizes as read at deploy. */
        productionCapacity: a.own,
        warmPool:
            a.warmPool === "production"
                ? "production's own pool, left as it is"
                : { ...plan.warmPool, givesBack: a.productionPool ?? "no pool" },
        databaseReaders: readerHosts,
        prewarm: Object.fromEntries(PREWARM_OUTPUT_FIELDS.map((field) => [field, data.prewarm[field]])),
        dataWarm: data.scheduled,
        alertTopicArn: alerts,
        agent: stored
            ? { bucket: stored.bucket, key: stored.key, sha256: stored.sha256 }
            : "baked into the AMI (compute.agent.source ami)",
    };
}

type AttachedOutputs = ReturnType<typeof attached>;
/** What an attached stack outputs (and warmstack/pulumi's EventWarmth carries): each value of `attached`, as an Output. */
export type AttachedStackOutputs = { [K in keyof AttachedOutputs]: pulumi.Output<pulumi.Unwrap<AttachedOutputs[K]>> };
/** The stack outputs of an attached stack: a fixed list, since they are only known once production is read. */
const ATTACHED_OUTPUTS = [
    "plan",
    "functionTargets",
    "attachedTo",
    "productionCapacity",
    "warmPool",
    "databaseReaders",
    "prewarm",
    "dataWarm",
    "alertTopicArn",
    "agent",
] as const satisfies readonly (keyof AttachedOutputs)[];
type Unlisted = Exclude<keyof AttachedOutputs, (typeof ATTACHED_OUTPUTS)[number]>;
export const attachedOutputsComplete: [Unlisted] extends [never] ? true : Unlisted = true;

/**
 * The attached program: production read at preview, the attachment checked, then the event's resources — in
 * `scope` (a parent and a name prefix) when a program of the user's own calls it (infra/library.ts).
 */
export function attachedWarmstack(config: WarmstackConfig, now: number, scope: AttachScope = {}): AttachedStackOutputs {
    const production = config.production as NonNullable<WarmstackConfig["production"]>;
    const from = production.stack === undefined ? "names" : "stack";
    const { opts } = scoped(scope);
    const names = productionNames(production, opts);
    const facts = readProduction(names, from, opts);
    const outputs = pulumi.all([names, facts]).apply(async ([n, read]) => {
        if ("unreadable" in read) throw new pulumi.RunError(read.unreadable);
        const f = read;
        const withNames = { ...config, production: { ...production, ...n } };
        const attachWith = (prices?: ListedPrices) => {
            const result = attach(withNames, f, { now, from, stack: pulumi.getStack(), prices });
            if (!Array.isArray(result)) return result;
            throw new pulumi.RunError(new ConfigError(result, "warmstack cannot attach to production").message);
        };
        // Every refusal comes before the Price List's provider exists; then production's type, node type and class
        // are priced as a built stack's are, a miss falling back to the table.
        attachWith();
        const prices = await stackPrices(productionConfig(withNames, f), {
            name: scoped(scope).name("price-list"),
            parent: scope.parent,
        });
        const result = attachWith(prices);
        return pulumi.output(attached(config, result, n, f, scope));
    });
    return Object.fromEntries(
        ATTACHED_OUTPUTS.map((key) => [key, outputs.apply((o) => o[key] as unknown)]),
    ) as AttachedStackOutputs;
}
