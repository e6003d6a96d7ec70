// Production's parts as an event stack attached to them shows them (warmstack:production): the group and the cache
// are not resources of the stack, so the pack sees each through the event's own resource that names it — the group
// through its EventWarmPool (contract.ts EVENT_WARM_POOL), the cache through the CachePrewarm that fills it — and
// judges it with the same policies and messages as a group or cache of the stack, each finding reported on that
// event resource. What such a view cannot show (production's launch template, encryption, node type, parameter
// groups) the program checked at preview; the pack leaves it unjudged.
import { PolicyResource } from "@pulumi/policy";
import { EVENT_WARM_POOL, PREWARM_TARGET, TYPES } from "./shared/contract";
import { isRecord, known, ofType, Props, referencedBy } from "./props";

/** How a view of production's group is named in messages. */
export const attachedGroupName = (groupName: unknown) => `production's group ${String(groupName)}`;

/**
 * An EventWarmPool's inputs as the props of the group it names: its name, its own sizes, the pool it keeps for the
 * event and the event's tags. Read lazily, so an input unknown at preview throws where a policy reads it, as a
 * group's own unknown property does.
 */
export function attachedGroupProps(pool: Props): Props {
    const capacity = (key: string) => {
        const sizes = pool[EVENT_WARM_POOL.capacity];
        return isRecord(sizes) ? sizes[key] : undefined;
    };
    return {
        get name() {
            return pool[EVENT_WARM_POOL.group];
        },
        get minSize() {
            return capacity("minSize");
        },
        get maxSize() {
            return capacity("maxSize");
        },
        get desiredCapacity() {
            return capacity("desiredCapacity");
        },
        get warmPool() {
            return {
                minSize: pool.minSize,
                maxGroupPreparedCapacity: pool.maxGroupPreparedCapacity,
                poolState: pool.poolState,
                instanceReusePolicy: { reuseOnScaleIn: pool.reuseOnScaleIn },
            };
        },
        get tags() {
            const tags = pool[EVENT_WARM_POOL.tags];
            return isRecord(tags) ? Object.entries(tags).map(([key, value]) => ({ key, value })) : [];
        },
    };
}

/** A resource the stack does not hold, as `from` (the event's resource naming it) shows it. */
const viewOf = (from: PolicyResource, type: string, name: string, props: Props): PolicyResource => ({
    ...from,
    type,
    name,
    props,
    dependencies: [],
    propertyDependencies: {},
});

/**
 * The stack's Auto Scaling groups, and production's groups its EventWarmPools name (one each, judged as a group of
 * the stack would be). An EventWarmPool on a group of the stack adds nothing: the group's own warmPool counts.
 */
export function groupsOf(resources: PolicyResource[]): PolicyResource[] {
    const own = ofType(resources, TYPES.group);
    const attached = ofType(resources, TYPES.eventWarmPool).filter(
        (pool) => referencedBy(pool, EVENT_WARM_POOL.group, own, ["name"]).length === 0,
    );
    return [
        ...own,
        ...attached.map((pool) =>
            viewOf(
                pool,
                TYPES.group,
                attachedGroupName(known(pool.props, EVENT_WARM_POOL.group)),
                attachedGroupProps(pool.props),
            ),
        ),
    ];
}

/**
 * Production's caches, on a stack with no cache of its own (`own` empty): each cache a CachePrewarm fills, by the
 * id it names, seen as a replication group with that id and no tags of its own (its event is the stack's). A stack
 * that has caches and fills another is not attached to it: that one stays unjudged.
 */
export function attachedCachesOf(resources: PolicyResource[], own: PolicyResource[]): PolicyResource[] {
    if (own.length > 0) return [];
    const seen = new Set<string>();
    return ofType(resources, TYPES.cachePrewarm).flatMap((prewarm) => {
        const id = known(prewarm.props, PREWARM_TARGET);
        const linked = (prewarm.propertyDependencies[PREWARM_TARGET] ?? []).length > 0;
        if (typeof id !== "string" || linked || seen.has(id)) return [];
        seen.add(id);
        return [viewOf(prewarm, TYPES.replicationGroup, `production's cache ${id}`, { replicationGroupId: id })];
    });
}

/**
 * The group a resource policy judges: a group of the stack as it is, or production's group as its EventWarmPool
 * shows it (a resource policy sees one resource: an EventWarmPool is taken to name a group the stack does not hold).
 */
export function judgedGroup(resource: {
    type: string;
    name: string;
    props: Props;
}): { name: string; props: Props } | undefined {
    if (resource.type === TYPES.group) return resource;
    if (resource.type !== TYPES.eventWarmPool) return undefined;
    return {
        name: attachedGroupName(known(resource.props, EVENT_WARM_POOL.group)),
        props: attachedGroupProps(resource.props),
    };
}
