// What the pack reads, named once: the resource types it judges, the tags the program publishes on the Auto
// Scaling group, and the CachePrewarm link. Pure and owned by the pack (it is published on its own); the
// program imports the tag names from here.

export const TYPES = {
    group: "aws:autoscaling/group:Group",
    lifecycleHook: "aws:autoscaling/lifecycleHook:LifecycleHook",
    schedule: "aws:autoscaling/schedule:Schedule",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    dbInstance: "aws:rds/instance:Instance",
    dbParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    /** `new dynamic.Resource(provider, name, props, opts, "warmstack", "CachePrewarm")`. */
    cachePrewarm: "pulumi-nodejs:dynamic/warmstack:CachePrewarm",
} as const;

/** Tags on the Auto Scaling group, written by the program from its readiness plan. */
export const TAGS = {
    event: "warmstack:event",
    eventStart: "warmstack:event-start",
    rampLeadMinutes: "warmstack:ramp-lead-minutes",
    writerPool: "warmstack:pool-writer",
    readerPoolPerReplica: "warmstack:pool-reader-per-replica",
    replicas: "warmstack:replicas",
} as const;

/** A group tagged with this key, and a reason as its value, may run without a warm pool. */
export const COLD_OK_TAG = "warmstack:cold-ok";

/** The CachePrewarm input that names the replication group it fills: the group's id. */
export const PREWARM_TARGET = "replicationGroupId";

export const LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING";

/** The states a warm pool can keep its instances in. */
export const POOL_STATES = ["Stopped", "Running", "Hibernated"] as const;
