// The warm: options checked, target and source opened (nothing written until both are good and the first
// batch is valid), rows streamed source → sink, then the hot set verified. Failures are typed: before the
// first write they are the cause itself; after it, a WarmIncompleteError saying how far the warm got.
import { ColdCacheError, WarmIncompleteError } from "./errors";
import { resolveOptions, type WarmOptions } from "./options";
import { connectRedis } from "./redis-client";
import type { WarmProgress, WarmReport } from "./report";
import { Sink } from "./sink";
import { openSource } from "./sources";
import type { Bytes, Source, WarmRecord } from "./sources/source";
import { verify } from "./verify";

export async function warm(input: WarmOptions): Promise<WarmReport> {
    const options = resolveOptions(input);
    const started = performance.now();
    const redis = await connectRedis(options.target, "redis", options.targetLabel, options);

    let source: Source | undefined;
    let sink: Sink | undefined;
    let writing = false;
    let rowsRead = 0;
    const skipped = { null: 0, tooLarge: 0 };
    /** The first intended keys: the hottest, since sources yield hottest first. */
    const hottest: Bytes[] = [];
    const progress = (): WarmProgress => ({
        rowsRead,
        keysWritten: sink?.totals.written ?? 0,
        skipped: { present: sink?.totals.present ?? 0, ...skipped },
        errors: sink?.totals.failed ?? 0,
        total: source?.total,
    });
    const keep = (record: WarmRecord): boolean => {
        if (record.key === null || record.value === null) {
            skipped.null++;
            return false;
        }
        if (isLarger(record.value, options.maxValueBytes)) {
            skipped.tooLarge++;
            return false;
        }
        if (hottest.length < options.verifySample) hottest.push(record.key);
        return true;
    };

    let report: WarmReport;
    try {
        source = await openSource(options);
        if (!options.dryRun) sink = Sink.create(options.target, redis, source.kind, options);
        for await (const records of source.batches()) {
            rowsRead += records.length;
            const kept = records.filter(keep);
            if (sink && kept.length) {
                writing = true;
                await sink.write(kept);
            }
            options.onProgress?.(progress());
        }
        await sink?.flush();
        options.onProgress?.(progress()); // the final figures, now that every batch has landed
        const check = await verify(redis, hottest);
        const durationMs = Math.round(performance.now() - started);
        const keysWritten = sink?.totals.written ?? 0;
        report = {
            source: options.sourceLabel,
            redis: options.targetLabel,
            dryRun: options.dryRun,
            ...progress(),
            durationMs,
            keysPerSecond: Math.round(keysWritten / Math.max(durationMs / 1000, 0.001)),
            warmth: check.warmth,
            verified: { sampled: check.sampled, present: check.present },
            firstError: sink?.totals.firstError,
        };
    } catch (err) {
        if (!writing) throw err;
        await sink?.flush().catch(() => {}); // let batches in flight land, so the counts are final
        throw new WarmIncompleteError(progress(), options.redactor.text((err as Error).message), { cause: err });
    } finally {
        sink?.close();
        await source?.close();
        redis.disconnect();
    }
    // A dry run reports the cache's current warmth; only a real warm is held to minWarmth.
    if (!options.dryRun && report.warmth < options.minWarmth) throw new ColdCacheError(report, options.minWarmth);
    return report;
}

function isLarger(value: Bytes, maxBytes: number): boolean {
    if (typeof value !== "string") return value.length > maxBytes;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: most strings are cleared without being measured.
    return value.length * 3 > maxBytes && Buffer.byteLength(value) > maxBytes;
}
