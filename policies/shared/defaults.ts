// The defaults the pack shares with the warmstack program: their one home. The pack is published on its own, so
// the arrow points into it: the program's schema (model/config.ts), its cache sizing and the CachePrewarm resource
// import them from here.
export const DEFAULTS = {
    /** How long before the event start capacity must rise, when neither the policy config nor a tag says. */
    rampLeadMinutes: 30,
    /** The most a CachePrewarm's warm may take, when the resource does not say (its `timeoutSeconds`). */
    prewarmTimeoutSeconds: 600,
    /** ElastiCache's default reserved-memory share (`reserved-memory-percent` 25): not available to data. */
    reservedMemoryShare: 0.25,
} as const;
