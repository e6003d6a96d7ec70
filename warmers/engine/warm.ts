// The warm: options checked, target and source opened (nothing written until both are good and, where the source
// can, its first batch is valid), rows streamed source → sink, then the hot set verified. Failures are typed:
// before the first write they are the cause itself; after it, a WarmIncompleteError saying how far it got. When a
// primary of the target evicts under maxmemory, a sizing pass (a dry run) comes first: a hot set that would evict
// live data is refused before anything is written (memory-check.ts, target-memory.ts).
import { byteLength, EntrySizer } from "./entry-sizes";
import { ColdCacheError, WarmIncompleteError } from "./errors";
import { KeySet } from "./key-set";
import { evicting, WarmEvictionError, type NodeMemory } from "./memory-check";
import type { WarmOptions } from "./options";
import { partitionLabel } from "./partition";
import { connectRedis, requirePrimary, requireStandalone, type RedisClient } from "./redis-client";
import type { WarmProgress, WarmReport } from "./report";
import { resolveOptions } from "./resolve";
import type { ResolvedOptions } from "./resolved";
import { Reservoir } from "./sample";
import { Sink } from "./sink";
import { HotSetMemory, readMemory } from "./target-memory";
import { openSource } from "./sources";
import type { Bytes, Source, WarmRecord } from "./sources/source";
import { verify } from "./verify";

export async function warm(input: WarmOptions): Promise<WarmReport> {
    const options = resolveOptions(input);
    const started = performance.now();
    const redis = await connectRedis(options.target, "redis", options.targetLabel, options);
    let report: WarmReport;
    try {
        if (!options.target.cluster) await requireStandalone(redis, options.targetLabel, options);
        if (!options.dryRun && !options.target.cluster) await requirePrimary(redis, options.targetLabel, options);
        const memory = await readMemory(redis, options);
        let sized: WarmReport | undefined;
        if (!options.dryRun && memory.some(evicting)) {
            // The sizing pass reads the source once more; only a target that could evict pays for it.
            sized = await pass({ ...options, dryRun: true, onProgress: undefined }, redis, memory, started);
            if (sized.memory?.evicts && !options.acceptEviction) throw new WarmEvictionError(sized.memory);
        }
        report = await pass(options, redis, memory, started);
        // A real warm reports the check it was allowed on: the sizing pass's, before anything was written.
        report.memory = sized?.memory ?? report.memory;
    } finally {
        redis.disconnect();
    }
    // A dry run reports the cache's current warmth; only a real warm is held to minWarmth and maxRefused.
    if (!options.dryRun && (report.warmth < options.minWarmth || report.errors > options.maxRefused))
        throw new ColdCacheError(report, options);
    return report;
}

/** One pass over the source: written through the sink, or (a dry run) only read, sized and checked. */
async function pass(
    options: ResolvedOptions,
    redis: RedisClient,
    memory: readonly NodeMemory[],
    started: number,
): Promise<WarmReport> {
    let source: Source | undefined;
    let sink: Sink | undefined;
    let writing = false;
    let rowsRead = 0;
    const skipped = { duplicate: 0, null: 0, tooLarge: 0 };
    const seen = new KeySet();
    const sample = new Reservoir<Bytes>(options.verifySample);
    const sizes = new EntrySizer();
    const hotSet = options.dryRun ? new HotSetMemory(redis, options.targetLabel) : undefined;
    const progress = (): WarmProgress => ({
        rowsRead,
        keysWritten: sink?.totals.written ?? 0,
        skipped: { present: sink?.totals.present ?? 0, ...skipped },
        errors: sink?.totals.failed ?? 0,
        total: source?.total,
    });
    /** The batch's records to write, in order; the rest counted by why they are skipped. */
    const keep = (records: WarmRecord[]): WarmRecord[] => {
        const whole = records.filter((record) => record.key !== null && record.value !== null);
        skipped.null += records.length - whole.length;
        // A repeated key is the source's own doing, not live traffic's: counted apart, written and sampled once.
        const fresh = seen.addAll(whole.map((record) => record.key as Bytes));
        const kept: WarmRecord[] = [];
        whole.forEach((record, i) => {
            if (!fresh[i]) {
                skipped.duplicate++;
                return;
            }
            const valueBytes = byteLength(record.value as Bytes);
            if (valueBytes > options.maxValueBytes) {
                skipped.tooLarge++;
                return;
            }
            const key = record.key as Bytes;
            sizes.add(key, valueBytes);
            hotSet?.add(key, byteLength(key) + valueBytes);
            sample.offer(key);
            kept.push(record);
        });
        return kept;
    };

    try {
        source = await openSource(options);
        if (!options.dryRun) sink = Sink.create(options.target, redis, source.kind, options);
        const batches = source.batches()[Symbol.asyncIterator]();
        for (;;) {
            const askedAt = Date.now();
            const next = await batches.next();
            if (next.done) break;
            const records = next.value;
            rowsRead += records.length;
            const kept = keep(records);
            if (sink && kept.length) {
                writing = true;
                await sink.write(kept, source.readAt?.() ?? askedAt);
            }
            options.onProgress?.(progress());
        }
        await sink?.flush();
        options.onProgress?.(progress()); // the final figures, now that every batch has landed
        const check = await verify(redis, sample.items);
        const durationMs = Math.round(performance.now() - started);
        const keysWritten = sink?.totals.written ?? 0;
        return {
            source: options.sourceLabel,
            redis: options.targetLabel,
            ...(options.partition && { partition: partitionLabel(options.partition) }),
            dryRun: options.dryRun,
            ...progress(),
            durationMs,
            keysPerSecond: Math.round(keysWritten / Math.max(durationMs / 1000, 0.001)),
            entries: sizes.sizes(),
            oldestValueAgeMs: sink?.totals.oldestValueAgeMs,
            warmth: check.warmth,
            verified: { sampled: check.sampled, present: check.present },
            firstError: sink?.totals.firstError,
            memory: hotSet?.judge(memory, sample.items, check.found),
        };
    } catch (err) {
        if (!writing) throw err;
        await sink?.flush().catch(() => {}); // let batches in flight land, so the counts are final
        throw new WarmIncompleteError(progress(), options.redactor.text((err as Error).message), { cause: err });
    } finally {
        sink?.close();
        await source?.close();
    }
}
