// On-demand prices (USD, us-east-1, Linux / PostgreSQL single-AZ / Redis OSS) for the types the committed stacks
// use, and the memory of those app instance types (a Hibernated pool writes RAM to the root volume). Compiled
// 2026-12-02 from AWS's published on-demand rates; AWS changes them, and another region differs: set any of
// them with warmstack:cost.* (docs/configuration.md). A type this table does not list needs its price set: the
// plan never guesses one.
export const PRICES_AS_OF = "2026-12-02";
export const PRICES_REGION = "us-east-1";

/** EC2 on-demand, per instance-hour. */
export const INSTANCE_HOURLY: Readonly<Record<string, number>> = {
    "c7i.large": 0.08925,
    "c7i.xlarge": 0.1785,
};
/** EC2 instance memory, GiB. */
export const INSTANCE_MEMORY_GIB: Readonly<Record<string, number>> = {
    "c7i.large": 4,
    "c7i.xlarge": 8,
};
/** EBS gp3 storage, per GB-month. */
export const EBS_GP3_GB_MONTH = 0.08;
/** RDS for PostgreSQL, single-AZ (what a read replica is), per instance-hour. */
export const REPLICA_HOURLY: Readonly<Record<string, number>> = {
    "db.r6g.large": 0.225,
    "db.r6g.xlarge": 0.449,
    "db.r6g.2xlarge": 0.898,
};
/** ElastiCache for Redis OSS, per node-hour. */
export const CACHE_NODE_HOURLY: Readonly<Record<string, number>> = {
    "cache.r7g.large": 0.219,
    "cache.r7g.xlarge": 0.437,
};
/** AWS bills EBS per GB-month of 730 hours. */
export const HOURS_PER_MONTH = 730;
/** Lambda provisioned concurrency (x86), per GB-second allocated, billed while it is allocated. */
export const PROVISIONED_CONCURRENCY_GB_SECOND = 0.0000041667;
