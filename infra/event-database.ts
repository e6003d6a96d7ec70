// The event's read capacity on production's database, removed by `pulumi destroy`:
// - RDS for PostgreSQL: the plan's read replicas of the production primary (encrypted, private, in the primary's
//   subnet group and security groups), optionally behind equal-weight Route 53 records the app reads from
//   (multivalue answer records cannot hold the CNAMEs RDS endpoints are, weighted ones can).
// - Aurora PostgreSQL: Application Auto Scaling on rds:cluster:ReadReplicaCount — a scalable target and scheduled
//   actions that raise the minimum to the plan's readers before the event and give back production's count after.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Attachment } from "../model/production";

export interface EventReplicasArgs {
    /** Production's primary: each replica's replicateSourceDb. */
    primaryIdentifier: pulumi.Input<string>;
    replicas: number;
    instanceClass: pulumi.Input<string>;
    subnetGroupName: pulumi.Input<string>;
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    readerRecord?: { zoneId: pulumi.Input<string>; name: pulumi.Input<string> };
}

export class EventReplicas extends pulumi.ComponentResource {
    readonly addresses: pulumi.Output<string[]>;

    constructor(name: string, args: EventReplicasArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:database:EventReplicas", name, {}, opts);
        const parent = { parent: this };
        const replicas = Array.from(
            { length: args.replicas },
            (_, i) =>
                new aws.rds.Instance(
                    `${name}-replica-${i + 1}`,
                    {
                        replicateSourceDb: args.primaryIdentifier,
                        instanceClass: args.instanceClass,
                        dbSubnetGroupName: args.subnetGroupName,
                        vpcSecurityGroupIds: args.securityGroupIds,
                        storageEncrypted: true,
                        publiclyAccessible: false,
                        performanceInsightsEnabled: true,
                        // A replica holds nothing the primary does not.
                        skipFinalSnapshot: true,
                    },
                    parent,
                ),
        );
        if (args.readerRecord) {
            const record = args.readerRecord;
            replicas.forEach(
                (replica, i) =>
                    new aws.route53.Record(
                        `${name}-reader-${i + 1}`,
                        {
                            zoneId: record.zoneId,
                            name: record.name,
                            type: "CNAME",
                            ttl: 30,
                            records: [replica.address],
                            setIdentifier: `warmstack-${i + 1}`,
                            weightedRoutingPolicies: [{ weight: 1 }],
                        },
                        parent,
                    ),
            );
        }
        this.addresses = pulumi.all(replicas.map((r) => r.address));
        this.registerOutputs({ addresses: this.addresses });
    }
}

export interface EventReadersArgs {
    clusterIdentifier: pulumi.Input<string>;
    readers: Attachment["database"];
    /** The most readers the target allows: the plan's (or production's, if more). */
    maxReaders: number;
}

/** `at(...)` as Application Auto Scaling takes it: the instant without its zone, the zone given apart. */
export const atSchedule = (iso: string) => `at(${iso.replace(/Z$/, "")})`;

export class EventReaders extends pulumi.ComponentResource {
    readonly target: aws.appautoscaling.Target;

    constructor(name: string, args: EventReadersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:database:EventReaders", name, {}, opts);
        this.target = new aws.appautoscaling.Target(
            `${name}-readers`,
            {
                serviceNamespace: "rds",
                scalableDimension: "rds:cluster:ReadReplicaCount",
                resourceId: pulumi.interpolate`cluster:${args.clusterIdentifier}`,
                minCapacity: args.readers.readerMinAtDeploy,
                maxCapacity: args.maxReaders,
            },
            { parent: this },
        );
        for (const action of args.readers.readerSchedule) {
            new aws.appautoscaling.ScheduledAction(
                `${name}-${action.name}`,
                {
                    name: action.name,
                    serviceNamespace: this.target.serviceNamespace,
                    scalableDimension: this.target.scalableDimension,
                    resourceId: this.target.resourceId,
                    schedule: atSchedule(action.at),
                    timezone: "UTC",
                    scalableTargetAction: { minCapacity: action.minCapacity, maxCapacity: action.maxCapacity },
                },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}
