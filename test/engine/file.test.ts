// The file source: JSON lines read as a stream; a bad line after the first batch ends the warm as
// incomplete, naming the line, and what was written stays valid.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type Redis from "ioredis";
import { warm, WarmIncompleteError, WarmInputError } from "../../warmers";
import { redisBytesPerKey } from "../../model/redis-memory";
import { emptyTarget } from "./fixtures";

describe("warm: file source", () => {
    let dir: string;
    let target: { url: string; redis: Redis };

    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-file-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    beforeEach(async () => (target = await emptyTarget()));
    afterEach(() => target.redis.disconnect());

    function jsonl(name: string, lines: string[]): string {
        const file = path.join(dir, name);
        fs.writeFileSync(file, lines.join("\n") + "\n");
        return file;
    }

    it("writes strings as they are, other JSON values as JSON text, with per-line TTLs", async () => {
        const file = jsonl("items.jsonl", [
            '{"key": "user:1", "value": "Ada", "ttl": 120}',
            "",
            '{"key": "user:2", "value": {"name": "Grace", "langs": ["COBOL"]}}',
            '{"key": "count", "value": 42, "ttl": null}',
            '{"key": "gone", "value": null}',
            '{"key": "ümlaut:✓", "value": "𝄞"}',
        ]);
        const report = await warm({ source: file, redis: target.url, ttl: 600, jitter: 0 });
        assert.equal(report.rowsRead, 5);
        assert.equal(report.keysWritten, 4);
        assert.equal(report.skipped.null, 1);
        assert.equal(await target.redis.get("user:1"), "Ada");
        assert.equal(await target.redis.get("user:2"), '{"name":"Grace","langs":["COBOL"]}');
        assert.equal(await target.redis.get("count"), "42");
        assert.equal(await target.redis.get("ümlaut:✓"), "𝄞");
        assert.equal(await target.redis.exists("gone"), 0);
        assert.ok((await target.redis.ttl("user:1")) <= 120 && (await target.redis.ttl("user:1")) > 110);
        assert.ok((await target.redis.ttl("count")) > 590);
    });

    it("holds each limit at its edge: a value of exactly maxValueBytes (in UTF-8 bytes) is kept, one more is not", async () => {
        const file = jsonl("edges.jsonl", [
            JSON.stringify({ key: "ascii:100", value: "a".repeat(100) }),
            JSON.stringify({ key: "ascii:101", value: "a".repeat(101) }),
            JSON.stringify({ key: "utf8:100", value: "é".repeat(50) }), // 50 characters, 100 bytes
            JSON.stringify({ key: "utf8:102", value: "é".repeat(51) }),
        ]);
        // minWarmth 1 with every sampled key present: the threshold itself passes.
        const report = await warm({ source: file, redis: target.url, maxValueBytes: 100, minWarmth: 1 });
        assert.equal(report.skipped.tooLarge, 2);
        assert.deepEqual((await target.redis.keys("*")).sort(), ["ascii:100", "utf8:100"]);
        assert.equal(report.warmth, 1);
        assert.deepEqual(report.entries, {
            count: 2,
            meanBytes: 109, // (9 + 100 + 8 + 100) / 2 = 108.5, rounded half up
            largest: { key: "ascii:100", bytes: 109 },
            redisBytes: 2 * redisBytesPerKey(109),
        });
    });

    it("reads only the first N lines with top", async () => {
        const file = jsonl(
            "many.jsonl",
            Array.from({ length: 100 }, (_, i) => JSON.stringify({ key: `k:${i}`, value: String(i) })),
        );
        const report = await warm({ source: file, redis: target.url, top: 7, batch: 3 });
        assert.equal(report.rowsRead, 7);
        assert.equal(await target.redis.dbsize(), 7);
        assert.equal(await target.redis.get("k:6"), "6");
    });

    it("a bad line after the first batch fails the warm as incomplete, naming the line; a fixed re-run completes", async () => {
        const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ key: `k:${i}`, value: `v:${i}` }));
        const good = lines[1499];
        lines[1499] = '{"key": "k:1499", "value": ';
        const file = jsonl("broken.jsonl", lines);
        await assert.rejects(warm({ source: file, redis: target.url, batch: 1000 }), (err: unknown) => {
            assert.ok(err instanceof WarmIncompleteError, String(err));
            assert.ok(err.cause instanceof WarmInputError);
            assert.match(
                err.message,
                /after reading 1000 rows and writing 1000 keys: source: .*broken\.jsonl line 1500: not JSON/,
            );
            // A re-run stops at the same line until it is fixed: the hint says so, not "re-run to finish".
            assert.match(err.message, /; fix source and re-run \(keys already written are skipped\)$/);
            assert.equal(err.progress.keysWritten, 1000);
            return true;
        });
        assert.equal(await target.redis.dbsize(), 1000);

        lines[1499] = good;
        jsonl("broken.jsonl", lines);
        const report = await warm({ source: file, redis: target.url, batch: 1000 });
        assert.equal(report.keysWritten, 1500);
        assert.equal(report.skipped.present, 1000);
        assert.equal(await target.redis.dbsize(), 2500);
    });
});
