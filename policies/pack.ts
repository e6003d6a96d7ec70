// The warm-readiness pack's policies, in the order a reader meets the chain: compute, cache, database, the
// links between them. index.ts serves them; the tests run them in-process the way the policy server does.
import { Policies } from "@pulumi/policy";
import { cacheHaEncrypted, cachePrewarmed } from "./cache";
import { connectionBudget, wholeChainWarm } from "./chain";
import {
    asgInstanceWarmup,
    asgWarmPoolRequired,
    rampBeforeEvent,
    warmPoolCompatible,
    warmPoolLaunchHook,
    warmPoolState,
} from "./compute";
import { dbBufferPrewarm, dbPrivateEncrypted, dbReadReplicas } from "./database";

export const PACK_NAME = "warm-readiness";

export const DESCRIPTION =
    "Blocks deploys whose compute, cache or database would meet the peak cold: warm pools " +
    "AWS accepts, launch hooks, the ramp before the event, pre-warmed caches, read replicas, connection budgets " +
    "and the whole chain warm together.";

export const policies: Policies = [
    asgWarmPoolRequired,
    warmPoolCompatible,
    warmPoolState,
    asgInstanceWarmup,
    warmPoolLaunchHook,
    rampBeforeEvent,
    cacheHaEncrypted,
    cachePrewarmed,
    dbPrivateEncrypted,
    dbBufferPrewarm,
    dbReadReplicas,
    connectionBudget,
    wholeChainWarm,
];
