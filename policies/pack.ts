// The warm-readiness pack's policies, in the order a reader meets the chain: compute, cache, database, the
// links between them. index.ts serves them; the tests run them in-process the way the policy server does.
import { Policies } from "@pulumi/policy";
import { cacheFitsHotSet, cacheHaEncrypted, cachePrewarmed } from "./cache";
import { connectionBudget, wholeChainWarm } from "./chain";
import {
    asgFlatCapacity,
    asgInstanceWarmup,
    asgWarmPoolRequired,
    rampBeforeEvent,
    warmPoolCompatible,
    warmPoolLaunchHook,
    warmPoolState,
} from "./compute";
import { dbAlwaysOn, dbBufferPrewarm, dbPrivateEncrypted, dbReadReplicas, replicaBuffersWarm } from "./database";
import { ecsWarmPoolNoReuse } from "./ecs";
import { prewarmBeforeEvent } from "./event-warm";
import { prewarmFitsOneRun } from "./prewarm-runs";
import { provisionedConcurrencyOnAlias } from "./functions";
import { unjudgedResources } from "./unjudged";

export const PACK_NAME = "warm-readiness";

export const DESCRIPTION =
    "Blocks deploys whose compute, cache or database would meet the peak cold: warm pools " +
    "AWS accepts, launch hooks, the ramp before the event, pre-warmed caches that hold their hot set and are warm " +
    "again at the start, read replicas with warm buffers, connection budgets and the whole chain warm together.";

export const policies: Policies = [
    asgWarmPoolRequired,
    asgFlatCapacity,
    warmPoolCompatible,
    warmPoolState,
    asgInstanceWarmup,
    warmPoolLaunchHook,
    rampBeforeEvent,
    cacheHaEncrypted,
    cachePrewarmed,
    cacheFitsHotSet,
    prewarmBeforeEvent,
    prewarmFitsOneRun,
    dbPrivateEncrypted,
    dbBufferPrewarm,
    dbAlwaysOn,
    dbReadReplicas,
    replicaBuffersWarm,
    connectionBudget,
    unjudgedResources,
    wholeChainWarm,
    provisionedConcurrencyOnAlias,
    ecsWarmPoolNoReuse,
];
