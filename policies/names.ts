// Every policy's name, once: the policies, the messages that point from one policy to another, and the policy
// config files all use these.
export const POLICY = {
    warmPoolRequired: "asg-warm-pool-required",
    flatCapacity: "asg-flat-capacity",
    warmPoolCompatible: "warm-pool-compatible",
    warmPoolState: "warm-pool-state",
    instanceWarmup: "asg-instance-warmup",
    launchHook: "warm-pool-launch-hook",
    rampBeforeEvent: "ramp-before-event",
    cacheHaEncrypted: "cache-ha-encrypted",
    cachePrewarmed: "cache-prewarmed",
    cacheFitsHotSet: "cache-fits-hot-set",
    prewarmBeforeEvent: "prewarm-before-event",
    prewarmFitsOneRun: "prewarm-fits-one-run",
    dbPrivateEncrypted: "db-private-encrypted",
    dbBufferPrewarm: "db-buffer-prewarm",
    dbAlwaysOn: "db-always-on",
    dbReadReplicas: "db-read-replicas",
    replicaBuffersWarm: "replica-buffers-warm",
    connectionBudget: "connection-budget",
    unjudgedResources: "unjudged-resources",
    wholeChainWarm: "whole-chain-warm",
} as const;
