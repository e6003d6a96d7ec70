// Redirects on a real Redis Cluster: a migration stuck half way (the owner ASKs to a node that is not importing,
// which MOVEs the key straight back) ends the warm with a clear error after a bounded number of rounds, instead
// of bouncing forever (issue 27); and after a MOVED the slot map is read again from the node the MOVED named,
// the one with the newest view, not from the seed.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { warm, WarmIncompleteError } from "../../warmers";
import { clusterBatchWriter } from "../../warmers/engine/cluster/cluster-writer";
import { keySlot } from "../../warmers/engine/cluster/key-slot";
import { Redactor } from "../../warmers/engine/redact";
import { startRedisCluster, type RedisCluster } from "../../warmers/local/servers";
import { withTimeout } from "../../warmers/timeout";

interface Primary {
    id: string;
    port: number;
    client: Redis;
}

describe("warm: Redis Cluster redirects", function () {
    this.timeout(60_000);
    let cluster: RedisCluster;
    let clients: Redis[];
    let dir: string;

    before(async () => {
        cluster = await startRedisCluster({ primaries: 3 });
        clients = cluster.nodes.map((node) => new Redis(node.url, { maxRetriesPerRequest: 0 }));
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warm-redirects-"));
    });
    after(async () => {
        for (const client of clients ?? []) client.disconnect();
        await cluster?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** The primary that owns `slot`, and the others, as CLUSTER SLOTS says now. */
    async function primaries(slot: number): Promise<{ owner: Primary; others: Primary[] }> {
        const ranges = await clients[0].cluster("SLOTS");
        const all = ranges.map(([start, end, [, port, id]]) => ({ start, end, port, id }));
        const byPort = (port: number) => clients[cluster.nodes.findIndex((node) => node.port === port)];
        const owner = all.find((r) => r.start <= slot && slot <= r.end)!;
        const others = [...new Map(all.filter((r) => r.id !== owner.id).map((r) => [r.id, r])).values()];
        const primary = (r: { id: string; port: number }) => ({ id: r.id, port: r.port, client: byPort(r.port) });
        return { owner: primary(owner), others: others.map(primary) };
    }

    const keysIn = async (node: Primary, slot: number) => Number(await node.client.cluster("COUNTKEYSINSLOT", slot));

    function jsonl(name: string, keys: string[]): string {
        const file = path.join(dir, name);
        fs.writeFileSync(file, keys.map((key) => JSON.stringify({ key, value: `v-${key}` })).join("\n"));
        return file;
    }

    it("a migration stuck half way ends the warm with a clear error after bounded redirects; a re-run finishes", async () => {
        const slot = keySlot("{stuck}");
        const { owner, others } = await primaries(slot);
        const [target] = others;
        const stuck = Array.from({ length: 40 }, (_, i) => `{stuck}:${i}`);
        const fine = Array.from({ length: 400 }, (_, i) => `fine:${i}`).filter((key) => keySlot(key) !== slot);
        const source = jsonl("stuck.jsonl", [...fine, ...stuck]);
        // The owner hands the slot's missing keys to `target` (ASK), which is not importing it and MOVEs them back.
        await owner.client.cluster("SETSLOT", slot, "MIGRATING", target.id);
        try {
            const started = Date.now();
            const failing = warm({ source, redis: cluster.url, cluster: true, retries: 2, retryBackoffMs: 20 });
            await assert.rejects(withTimeout(failing, 15_000, "the stuck warm"), (err: unknown) => {
                assert.ok(err instanceof WarmIncompleteError, String(err));
                assert.match(err.message, /keys still redirected \(MOVED\/ASK\) after 5 tries/);
                assert.match(err.message, /re-run to finish/);
                assert.equal(err.progress.keysWritten, fine.length, "every other slot's keys were written");
                return true;
            });
            assert.ok(Date.now() - started < 10_000, `ended after ${Date.now() - started} ms`);
            for (const node of [owner, target])
                assert.equal(await keysIn(node, slot), 0, `{stuck} keys on ${node.port}`);
        } finally {
            await owner.client.cluster("SETSLOT", slot, "STABLE");
        }
        const rerun = await warm({ source, redis: cluster.url, cluster: true });
        assert.equal(rerun.keysWritten, stuck.length);
        assert.equal(rerun.skipped.present, fine.length);
        assert.equal(await keysIn(owner, slot), stuck.length);
    });

    it("after a MOVED, reads the slot map from the node it named, not from the seed again", async () => {
        const slot = keySlot("{moved}");
        const { owner, others } = await primaries(slot);
        const [to, seed] = others;
        const pipes = clusterBatchWriter(
            { host: "127.0.0.1", port: seed.port, db: 0 },
            { connectTimeoutMs: 2000, commandTimeoutMs: 2000, redactor: new Redactor([]) },
            {
                command: (record) => ["SET", record.key as string, record.value as string],
                tally: (_records, replies) => ({ replies, retryError: undefined as unknown }),
            },
        );
        const record = (key: string) => ({ key, value: "v", ttl: undefined });
        try {
            const first = await pipes.send([record("before:1"), record("before:2")]); // the map, read from the seed
            assert.equal(first.replies.length, 2);
            // The slot changes hands (empty, so no keys to move); every node knows it at once.
            for (const client of [to.client, owner.client, seed.client])
                await client.cluster("SETSLOT", slot, "NODE", to.id);
            await Promise.all(clients.map((client) => client.config("RESETSTAT")));

            const second = await pipes.send([record("{moved}:1")]); // sent to the old owner, which MOVEs it
            assert.equal(second.replies.length, 1);
            assert.ok(!(second.replies[0] instanceof Error), String(second.replies[0]));
            assert.equal(await keysIn(to, slot), 1, "the key landed on the new owner");
            const slotReads = async (client: Redis) =>
                Number(/^cmdstat_cluster\|slots:calls=(\d+)/m.exec(await client.info("commandstats"))?.[1] ?? 0);
            assert.equal(await slotReads(to.client), 1, "the map was read again from the node the MOVED named");
            assert.equal(await slotReads(seed.client), 0, "not from the seed");
        } finally {
            pipes.close();
        }
    });
});
