// `warmstack plan`'s tables: the plan's numbers as a person reads them at a terminal — timeline, capacity, data
// tier, cost. Pure: every figure is the plan's (or the config value it came from); this file only lays them out.
import type { WarmstackConfig } from "../../model/config";
import { POOL_STATE_PRICES, type CostPlan, type PeriodCost, type Prices, type Usd } from "../../model/cost";
import type { ReadinessPlan } from "../../model/plan";
import { UNRESERVED_CONCURRENCY } from "../../model/plan/functions";
import { MEMORY_SOURCE_TEXT } from "../../model/root-volume";
import { orderedTimeline, type Timeline } from "../../model/timeline";
import { POOL_STATES } from "../../policies/shared/contract";
import { isoSeconds } from "../../policies/shared/numbers";
import { renderTable } from "./table";

const TIMELINE_LABELS: Record<keyof Timeline, string> = {
    deployBy: "deploy by",
    databaseWarm: "database warm",
    cacheWarm: "cache warm",
    ramp: "ramp",
    start: "start",
    end: "end",
    scaleDown: "scale-down",
};

const count = (n: number) => n.toLocaleString("en-US");
/** A rate as given: 0.4 rps is "0.4", never "0"; whole rates keep their thousands separators. */
const rate = (n: number) =>
    n.toLocaleString("en-US", n >= 1 ? { maximumFractionDigits: 2 } : { maximumSignificantDigits: 3 });
const money = (n: number) => n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** A table cell: the amount, or "unpriced" (the lines under the table name the key). */
const cell = (n: Usd) => (n === null ? "unpriced" : money(n));
// Rounded from 12 significant digits: 399 / 1400 × 100 is 28.499999999999996 in floating point, and 28.5 % is 29 %.
const percent = (x: number) => `${Math.round(Number((x * 100).toPrecision(12)))}%`;

function bytes(n: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let unit = 0;
    while (n >= 1024 && unit < units.length - 1) {
        n /= 1024;
        unit++;
    }
    return `${n.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** The offset an ISO instant was written with (`Z` → `+00:00`). */
export function offsetOf(iso: string): string {
    const match = /([+-]\d\d:\d\d|Z)$/.exec(iso);
    return !match || match[1] === "Z" ? "+00:00" : match[1];
}

/** `2027-11-26 00:00 -05:00`: the instant `iso` on the clock of `offset`. */
export function atOffset(iso: string, offset: string): string {
    const sign = offset.startsWith("-") ? -1 : 1;
    const [hours, minutes] = offset.slice(1).split(":").map(Number);
    const shifted = new Date(Date.parse(iso) + sign * (hours * 60 + minutes) * 60_000).toISOString();
    return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)} ${offset}`;
}

/** `-1 h 45 min`, `+4 d 1 h`, `+1 s`: how far `ms` is from the event's start (seconds only under a minute). */
export function fromStart(ms: number): string {
    if (ms === 0) return "0";
    const sign = ms < 0 ? "-" : "+";
    if (Math.abs(ms) < 60_000) return `${sign}${Math.round(Math.abs(ms) / 1000)} s`;
    const minutes = Math.round(Math.abs(ms) / 60_000);
    const parts = [
        [Math.floor(minutes / 1440), "d"],
        [Math.floor(minutes / 60) % 24, "h"],
        [minutes % 60, "min"],
    ] as const;
    const words = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`);
    return `${sign}${words.join(" ")}`;
}

function timelineTable(plan: ReadinessPlan, now: number): string[] {
    if (!plan.timeline || !plan.event) return ["Timeline: no event (warmstack:event), so nothing is scheduled"];
    // Each instant on the clock of the one it comes from: across a DST change the end keeps its own offset.
    const offset = offsetOf(plan.event.start);
    const endOffset = offsetOf(plan.event.end);
    const start = Date.parse(plan.timeline.start);
    const rows = orderedTimeline(plan.timeline).map(({ name, at }) => [
        TIMELINE_LABELS[name],
        `${at.slice(0, 10)} ${at.slice(11, 16)}`,
        atOffset(at, name === "end" || name === "scaleDown" ? endOffset : offset),
        fromStart(Date.parse(at) - start),
        Date.parse(at) <= now ? "past" : "",
    ]);
    return [
        renderTable({
            title: `Timeline (event ${plan.event.name}, ${plan.event.phase})`,
            header: [
                "",
                "UTC",
                `event time (${offset === endOffset ? offset : `${offset}, end ${endOffset}`})`,
                "from start",
                "",
            ],
            rows,
        }),
    ];
}

function capacityTable(plan: ReadinessPlan, config: WarmstackConfig): string {
    const { instances, group, warmPool, schedule } = plan;
    const { traffic, compute } = config;
    const ramp = instances.peak - instances.baseline;
    const cold = compute.bootSeconds + compute.warmupSeconds;
    const fromPool = Math.min(warmPool.minSize, ramp);
    const rampUp = schedule.find((s) => s.desiredCapacity === instances.peak);
    const rampDown = schedule.find((s) => s !== rampUp);
    const rows = [
        [
            "instances",
            `${instances.baseline} baseline, ${instances.peak} peak`,
            `${rate(traffic.baselineRps)} / ${rate(traffic.peakRps)} rps at ${rate(traffic.rpsPerInstance)} per instance, ${percent(traffic.headroom)} headroom`,
        ],
        [
            "auto scaling group",
            `min ${group.minSize}, max ${group.maxSize}`,
            `desired ${group.desiredCapacity} as deployed now`,
        ],
        [
            "warm pool",
            `${warmPool.minSize} ${warmPool.state}`,
            warmPool.reason ??
                `prepared capacity ${warmPool.maxGroupPreparedCapacity}${warmPool.reuseOnScaleIn ? ", reused on scale-in" : ""}`,
        ],
        [
            "instance memory",
            plan.rootVolume.memoryGiB === undefined ? "unknown" : `${rate(plan.rootVolume.memoryGiB)} GiB`,
            `${compute.instanceType}: ${MEMORY_SOURCE_TEXT[plan.rootVolume.memorySource]}`,
        ],
        [
            "root volume",
            `${plan.rootVolume.gb} GiB`,
            `compute.rootVolumeGb ${compute.rootVolumeGb}` +
                (plan.rootVolume.imageGiB !== undefined ? `, the image ${plan.rootVolume.imageGiB}` : "") +
                (warmPool.state === "Hibernated" ? ", + the RAM a Hibernated pool writes there" : ""),
        ],
        [
            "ramp",
            rampUp ? `to ${rampUp.desiredCapacity} at ${rampUp.startTime}` : "none scheduled",
            rampDown ? `back to ${rampDown.desiredCapacity} at ${rampDown.startTime}` : "",
        ],
        [
            "to peak, cold",
            `${cold} s`,
            `compute.bootSeconds ${compute.bootSeconds} + warmupSeconds ${compute.warmupSeconds}, for each of ${ramp} instances`,
        ],
        [
            "to peak, from the pool",
            `${compute.warmupSeconds} s + resume`,
            `${fromPool} of the ${ramp} skip the boot (leave the ${warmPool.state} pool, warm up)` +
                (ramp > fromPool ? `; ${ramp - fromPool} boot cold` : ""),
        ],
    ];
    return renderTable({ title: "Capacity", rows });
}

function dataTierTable(plan: ReadinessPlan, config: WarmstackConfig): string {
    const { database, cache, dataPrewarm, instances } = plan;
    const endpoint = (name: string, pool: number) => {
        const atPeak = pool * instances.peak;
        return [
            name,
            String(pool),
            count(atPeak),
            count(database.budgetPerEndpoint),
            percent(atPeak / database.budgetPerEndpoint),
        ];
    };
    const connections = renderTable({
        title: `Data tier: ${database.replicas} replica(s) (readQps ${rate(config.database.readQps)} at ${rate(config.database.readQpsPerReplica)} each), maxConnections ${count(database.maxConnections)} per endpoint`,
        header: ["endpoint", "pool per instance", `at peak (${instances.peak} instances)`, "budget", "share"],
        rows: [
            endpoint("writer", database.writerPoolPerInstance),
            endpoint(`each replica (×${database.replicas})`, database.readerPoolPerReplica),
        ],
        right: [1, 2, 3, 4],
    });
    const relations = dataPrewarm.relations.length ? dataPrewarm.relations.join(", ") : "none configured";
    return [
        connections,
        `hot set: ${count(cache.prewarmKeys)} keys × ${count(cache.bytesPerKey)} B = ${bytes(cache.hotSetBytes)} in ` +
            `${cache.shards} shard(s) of ${bytes(cache.usableBytesPerShard)} usable (${cache.nodes} nodes, ` +
            `${cache.replicasPerShard} replica(s) per shard, cluster mode ${cache.clusterMode ? "on" : "off"})`,
        `data warm: replica buffers (${relations}) then the cache, ` +
            (plan.event
                ? `${dataPrewarm.leadMinutes} min before the start${dataPrewarm.scheduleAt ? ` (${dataPrewarm.scheduleAt})` : ""}`
                : "at each deploy (no event, so none is scheduled)") +
            "; cache warm about " +
            `${dataPrewarm.estimatedSeconds} s at ${count(dataPrewarm.keysPerSecond)} keys/s` +
            partitioned(dataPrewarm),
    ].join("\n");
}

/** An amount in a line of text, or what it cannot be priced without: the keys that would price it. */
function amount(cost: CostPlan, n: Usd, needs: (keyof Prices)[]): string {
    if (n !== null) return money(n);
    const keys = cost.unpriced.filter((u) => needs.some((k) => u.key === `warmstack:cost.${k}`)).map((u) => u.key);
    return `cannot price (set ${keys.join(", ")})`;
}

/** A warm past one run: its partitions, how many at once and why, and the fan-out's own estimate. */
function partitioned({ partitions, keysPerPartition, partitionSeconds, fanOut }: ReadinessPlan["dataPrewarm"]): string {
    if (!fanOut) return "";
    const { maxConcurrency, bounds, waves, estimatedSeconds } = fanOut;
    return (
        ` as one run, so ${partitions} partitions of at most ${count(keysPerPartition)} keys (about ${partitionSeconds} s ` +
        `each), ${maxConcurrency} at once (bounded by ${bounds.shards} shard(s) and ${count(bounds.connectionsLeft)} ` +
        `connection(s) left per replica at the warm): ${waves} round(s), about ${estimatedSeconds} s`
    );
}

function costTable(plan: ReadinessPlan): string {
    const { cost } = plan;
    const rows: string[][] = [];
    // Cheapest first: Stopped (EBS only), Hibernated (EBS with the RAM image), Running (the whole instance).
    const pool = (label: string, size: number, byState: Record<string, PeriodCost>, used?: string) =>
        [...POOL_STATES]
            .sort((a, b) => (byState[a].perHour ?? Infinity) - (byState[b].perHour ?? Infinity))
            .forEach((state, i) => {
                const p = byState[state];
                rows.push([
                    i === 0 ? label : "",
                    i === 0 ? String(size) : "",
                    state + (state === used ? " *" : ""),
                    cell(p.perHour),
                    cell(p.perDay),
                    cell(p.perMonth),
                ]);
            });
    pool("this stack's warm pool", cost.warmPool.size, cost.warmPool.byState, cost.warmPool.state);
    pool("always warm, 24/7", cost.alwaysWarm.size, cost.alwaysWarm.byState);
    const lines = [
        renderTable({
            title: `Cost (${cost.currency}; * the state this stack uses)`,
            header: ["idle warm pool", "size", "state", "per hour", "per day", "per month"],
            rows,
            right: [1, 3, 4, 5],
        }),
        ...cost.unpriced.map((u) => `cannot price ${u.what} (set ${u.key})`),
    ];
    const instance: (keyof Prices)[] = ["instanceHourly", "ebsGbMonth"];
    if (cost.event) {
        const e = cost.event;
        const all: (keyof Prices)[] = [...instance, "replicaHourly", "cacheNodeHourly"];
        lines.push(
            `event extra, ${e.hours} h from ramp to scale-down: ${e.rampInstances} ramp instances ${amount(cost, e.instances, instance)} + ` +
                `${plan.database.replicas} replicas ${amount(cost, e.replicas, ["replicaHourly"])} + ${plan.cache.nodes} cache nodes ` +
                `${amount(cost, e.cacheNodes, ["cacheNodeHourly"])} = ${amount(cost, e.total, all)}`,
        );
    }
    const spike = cost.coldSpike;
    lines.push(
        `cold spike: ${count(spike.missingInstanceMinutes)} missing instance-minutes = ${spike.outageMinutes.toFixed(2)} min of full outage` +
            (spike.cost !== undefined
                ? ` × ${money(cost.revenuePerMinute ?? 0)} per minute = ${money(spike.cost)} at risk`
                : " (set warmstack:cost.revenuePerMinute to price it)"),
        `readiness: ${amount(cost, cost.readiness.cost, [...POOL_STATE_PRICES[cost.warmPool.state], ...instance])} for ${cost.readiness.covers}`,
    );
    if (cost.breakEvenOutageMinutes !== undefined) {
        lines.push(
            `break-even: readiness costs as much as ${cost.breakEvenOutageMinutes.toFixed(2)} min of full outage`,
        );
    }
    lines.push(
        "prices: " +
            Object.entries(cost.prices)
                .map(([name, price]) => `${name} ${price.value ?? "unpriced"}`)
                .join(", "),
        "assumptions:",
        ...cost.assumptions.map((a) => `  - ${a}`),
    );
    return lines.join("\n");
}

function functionsTable(plan: ReadinessPlan): string[] {
    const { functions, provisionedTotal, accountConcurrency, price } = plan.functions;
    if (functions.length === 0) return [];
    const rows = functions.map((fn) => {
        const up = fn.schedule.find((a) => a.minCapacity === fn.provisioned);
        const open = fn.capacity.minCapacity === fn.provisioned && fn.provisioned !== fn.baseline;
        return [
            `${fn.name}:${fn.alias}`,
            count(fn.provisioned),
            count(fn.baseline),
            up ? `at ${up.startTime}` : open ? "at peak from this deploy" : "none scheduled",
            fn.hourlyAtPeak === undefined ? "unpriced" : money(fn.hourlyAtPeak),
            fn.eventCost === undefined ? "" : money(fn.eventCost),
        ];
    });
    return [
        [
            renderTable({
                title: `Functions: provisioned concurrency ${count(provisionedTotal)} of ${count(accountConcurrency)} (${UNRESERVED_CONCURRENCY} stay unreserved)`,
                header: ["alias", "N at peak", "baseline", "ramp", "per hour", "event"],
                rows,
                right: [1, 2, 4, 5],
            }),
            `price: ${price.value} USD per GB-second allocated, from ${price.source}`,
        ].join("\n"),
    ];
}

/** compute.platform ecs: the capacity provider, the service's task ramp and the images pulled before the hook. */
function ecsTable(plan: ReadinessPlan): string[] {
    const { ecs } = plan;
    if (!ecs) return [];
    const up = ecs.service?.schedule.find((a) => a.name.endsWith("-ramp-up"));
    const down = ecs.service?.schedule.find((a) => a.name.endsWith("-ramp-down"));
    const rows = [
        ["capacity provider", `target ${ecs.targetCapacity} %`, "managed scaling and termination protection on"],
        [
            "tasks",
            `${count(ecs.tasks.baseline)} baseline, ${count(ecs.tasks.peak)} peak`,
            `${ecs.tasks.perInstance} per instance`,
        ],
        [
            "task ramp",
            !ecs.service
                ? "none (no compute.ecs.service)"
                : up
                  ? `${ecs.service.name} to ${up.minCapacity} at ${up.startTime}`
                  : `${ecs.service.name}: ${ecs.service.capacity.minCapacity} as deployed now`,
            down ? `back to ${down.minCapacity} at ${down.startTime}` : "",
        ],
        [
            "images",
            `${ecs.images.length} pulled before the hook`,
            ecs.images.length > 0
                ? `each within ${ecs.pullTimeoutSeconds} s; ${ecs.ecr.length} from ECR (logged in with the instance role)`
                : "",
        ],
    ];
    return [renderTable({ title: "ECS", rows })];
}

/** The whole report: a heading, the plan's warnings, then the four tables. */
export function planReport(plan: ReadinessPlan, config: WarmstackConfig, source: string, now: number): string {
    const heading = `warmstack plan of ${source}, as of ${isoSeconds(now)}`;
    return [
        [heading, ...plan.warnings.map((w) => `warning: ${w}`)].join("\n"),
        ...timelineTable(plan, now),
        capacityTable(plan, config),
        ...ecsTable(plan),
        dataTierTable(plan, config),
        costTable(plan),
        ...functionsTable(plan),
        "",
    ].join("\n\n");
}
