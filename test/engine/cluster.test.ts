// Cluster mode on a real Redis Cluster (three primaries, a replica each): keys land on the primaries that own their
// slots, and a warm that meets a slot migration or a failover half-way still ends with every key present exactly
// once and every live key (a sentinel written before the warm) untouched.
//
// Redirects on a real Redis Cluster: a migration stuck half way (the owner ASKs to a node that is not importing,
// which MOVEs the key straight back) ends the warm with a clear error after a bounded number of rounds, instead
// of bouncing forever (issue 27); and after a MOVED the slot map is read again from the node the MOVED named,
// the one with the newest view, not from the seed.
import Redis, { Cluster } from "ioredis";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { warm, type WarmOptions, WarmIncompleteError } from "../../warmers";
import { clusterBatchWriter } from "../../warmers/engine/cluster/cluster-writer";
import { keySlot } from "../../warmers/engine/cluster/key-slot";
import { Redactor } from "../../warmers/engine/redact";
import { startRedisCluster, type RedisCluster } from "../../warmers/local/servers";
import { sleep, withTimeout } from "../../warmers/timeout";
import { itemsTable, postgresUrl, sql } from "./fixtures";

const TAGS = 12;

/** A node as the cluster sees it now. */
interface Member {
    id: string;
    port: number;
    primary: boolean;
    /** Its primary's id, for a replica. */
    of?: string;
    slots: [number, number][];
    client: Redis;
}

/** MIGRATEs every key of `slot` still on `from` to `to`. */
async function moveKeys(from: Member, to: Member, slot: number): Promise<void> {
    for (;;) {
        const keys = (await from.client.cluster("GETKEYSINSLOT", slot, 500)) as string[];
        if (!keys.length) return;
        await from.client.migrate("127.0.0.1", to.port, "", 0, 5000, "KEYS", ...keys);
    }
}

interface Primary {
    id: string;
    port: number;
    client: Redis;
}

describe("warm: Redis Cluster target", function () {
    this.timeout(120_000);
    let cluster: RedisCluster;
    let clients: Map<number, Redis>;
    let reader: Cluster;

    before(async () => {
        cluster = await startRedisCluster({ primaries: 3, replicas: 1 });
        clients = new Map(cluster.nodes.map((node) => [node.port, new Redis(node.url, { maxRetriesPerRequest: 0 })]));
        reader = new Cluster([{ host: cluster.nodes[0].host, port: cluster.nodes[0].port }]);
    });
    after(async () => {
        reader?.disconnect();
        for (const client of clients?.values() ?? []) client.disconnect();
        await cluster?.stop();
    });
    beforeEach(async () => {
        await cluster.settled();
        await Promise.all((await members()).filter((m) => m.primary).map((m) => m.client.flushall()));
        await cluster.settled(); // replicas have caught up with the flush
    });

    /** Every node's id, role and slots, read from CLUSTER NODES. */
    async function members(): Promise<Member[]> {
        const table = (await clients.values().next().value!.cluster("NODES")) as string;
        return table
            .trim()
            .split("\n")
            .map((line) => {
                const [id, address, flags, of, , , , , ...ranges] = line.split(" ");
                const port = Number(address.split("@")[0].split(":").at(-1));
                const slots = ranges
                    .filter((range) => !range.startsWith("["))
                    .map((range) => range.split("-").map(Number))
                    .map(([start, end]) => [start, end ?? start] as [number, number]);
                const primary = flags.includes("master");
                return { id, port, primary, of: primary ? undefined : of, slots, client: clients.get(port)! };
            });
    }

    const owner = (all: Member[], slot: number) =>
        all.find((m) => m.primary && m.slots.some(([start, end]) => start <= slot && slot <= end))!;

    /** Rows whose keys share TAGS hash tags, so a handful of slots hold many keys each. */
    async function taggedTable(name: string, rows: number): Promise<void> {
        await sql(`DROP TABLE IF EXISTS ${name}`);
        await sql(
            `CREATE TABLE ${name} AS SELECT g AS id, '{t' || (g % ${TAGS}) || '}:' || g AS key, 'value:' || g AS value
             FROM generate_series(0, $1::int - 1) AS g`,
            [rows],
        );
    }
    const taggedKey = (i: number) => `{t${i % TAGS}}:${i}`;

    /** Writes "live" to `keys` before the warm, as an application would. */
    async function seedLive(keys: string[]): Promise<void> {
        for (const key of keys) await reader.set(key, "live");
    }

    /** Every key present exactly once across the primaries, with its value; the live ones untouched. */
    async function assertWarm(rows: number, live: string[]): Promise<void> {
        await cluster.settled();
        const primaries = (await members()).filter((m) => m.primary);
        const sizes = await Promise.all(primaries.map((m) => m.client.dbsize()));
        assert.equal(
            sizes.reduce((a, b) => a + b, 0),
            rows,
            `keys per primary: ${sizes}`,
        );
        const values = await Promise.all(Array.from({ length: rows }, (_, i) => reader.get(taggedKey(i))));
        const missing = values.flatMap((value, i) => (value === null ? [taggedKey(i)] : []));
        assert.deepEqual(missing, []);
        values.forEach((value, i) => {
            const key = taggedKey(i);
            assert.equal(value, live.includes(key) ? "live" : `value:${i}`, key);
        });
    }

    async function warmOptions(table: string, extra: Partial<WarmOptions> = {}): Promise<WarmOptions> {
        return {
            source: await postgresUrl(),
            query: `SELECT key, value FROM ${table} ORDER BY id`,
            redis: cluster.url,
            cluster: true,
            ttl: 600,
            ...extra,
        };
    }

    it("writes each key on the primary that owns its slot, keeps NX semantics and verifies across slots", async () => {
        await itemsTable("warm_cluster_items", 3000);
        await seedLive(["key:7"]);
        const report = await warm({
            ...(await warmOptions("warm_cluster_items")),
            query: "SELECT key, value FROM warm_cluster_items ORDER BY id",
        });
        assert.equal(report.keysWritten, 2999);
        assert.equal(report.skipped.present, 1);
        assert.equal(report.errors, 0);
        assert.equal(report.warmth, 1);
        assert.equal(await reader.get("key:7"), "live");
        const all = await members();
        const primaries = all.filter((m) => m.primary);
        let total = 0;
        for (const primary of primaries) {
            const keys = await primary.client.keys("*");
            assert.ok(keys.length > 500, `${keys.length} keys on ${primary.port}`);
            for (const key of keys) assert.equal(owner(all, keySlot(key)).id, primary.id, `${key} on ${primary.port}`);
            total += keys.length;
        }
        assert.equal(total, 3000);
        assert.ok((await reader.ttl("key:2999")) > 500);
    });

    it("follows a slot migrated mid-warm (ASK while migrating, MOVED after): every key once, live keys kept", async () => {
        const rows = 12_000;
        await taggedTable("warm_cluster_tagged", rows);
        const slot = keySlot("{t0}");
        const all = await members();
        const from = owner(all, slot);
        const to = all.find((m) => m.primary && m.id !== from.id)!;
        const live = [taggedKey(0), taggedKey(TAGS * 400), taggedKey(TAGS * 900), taggedKey(1)];
        await seedLive(live);

        let rowsRead = 0;
        let migration: Promise<number> | undefined;
        const report = await warm(
            await warmOptions("warm_cluster_tagged", {
                rate: 6000, // about two seconds: time for the migration to happen in the middle
                retries: 0, // redirects are followed within a send, not left to the retries
                onProgress: (progress) => {
                    rowsRead = progress.rowsRead;
                    if (!migration && rowsRead >= rows / 4)
                        migration = (async () => {
                            await to.client.cluster("SETSLOT", slot, "IMPORTING", from.id);
                            await from.client.cluster("SETSLOT", slot, "MIGRATING", to.id);
                            await moveKeys(from, to, slot);
                            await sleep(500); // writes meanwhile: keys already moved are ASKed to the importing node
                            await moveKeys(from, to, slot);
                            for (const node of [to, from, ...all.filter((m) => m.primary && m !== to && m !== from)])
                                await node.client.cluster("SETSLOT", slot, "NODE", to.id);
                            return rowsRead;
                        })();
                },
            }),
        );
        const readWhenMigrated = await migration;
        assert.ok(readWhenMigrated !== undefined && readWhenMigrated < rows, "the migration ended before the warm did");
        assert.equal(report.errors, 0, report.firstError);
        assert.equal(report.keysWritten, rows - live.length);
        assert.equal(report.skipped.present, live.length);
        assert.equal(owner(await members(), slot).id, to.id);
        await assertWarm(rows, live);
    });

    it("follows a primary failed over mid-warm (CLUSTER FAILOVER): every key once, live keys kept", async () => {
        const rows = 12_000;
        await taggedTable("warm_cluster_tagged", rows);
        const slot = keySlot("{t1}");
        const all = await members();
        const primary = owner(all, slot);
        const replica = all.find((m) => m.of === primary.id)!;
        const live = [taggedKey(1), taggedKey(TAGS * 500 + 1), taggedKey(2)];
        await seedLive(live);
        await cluster.settled(); // the replica has the live keys

        let rowsRead = 0;
        let failover: Promise<number> | undefined;
        const report = await warm(
            await warmOptions("warm_cluster_tagged", {
                rate: 6000,
                retries: 0,
                onProgress: (progress) => {
                    rowsRead = progress.rowsRead;
                    if (!failover && rowsRead >= rows / 4)
                        failover = (async () => {
                            await replica.client.cluster("FAILOVER");
                            while (!/^role:master/m.test(await replica.client.info("replication"))) await sleep(20);
                            return rowsRead;
                        })();
                },
            }),
        );
        const readWhenPromoted = await failover;
        assert.ok(readWhenPromoted !== undefined && readWhenPromoted < rows, "the failover ended before the warm did");
        assert.equal(report.errors, 0, report.firstError);
        assert.equal(report.keysWritten, rows - live.length);
        assert.equal(report.skipped.present, live.length);
        assert.equal(owner(await members(), slot).id, replica.id);
        await assertWarm(rows, live);
    });
});

describe("warm: Redis Cluster target with AUTH", function () {
    this.timeout(60_000);
    const password = "cluster-secret-7";
    let cluster: RedisCluster;

    before(async () => {
        cluster = await startRedisCluster({ primaries: 3, password });
        await itemsTable("warm_cluster_auth", 2000);
    });
    after(() => cluster?.stop());

    const options = async (secret: string): Promise<WarmOptions> => ({
        source: await postgresUrl(),
        query: "SELECT key, value FROM warm_cluster_auth ORDER BY id",
        redis: cluster.url,
        password: secret,
        cluster: true,
    });

    it("authenticates every primary's connection with the target's password", async () => {
        const report = await warm(await options(password));
        assert.equal(report.keysWritten, 2000);
        assert.equal(report.errors, 0);
        const sizes = await Promise.all(
            cluster.nodes.map(async (node) => {
                const client = new Redis(node.url, { password, maxRetriesPerRequest: 0 });
                try {
                    return await client.dbsize();
                } finally {
                    client.disconnect();
                }
            }),
        );
        assert.ok(
            sizes.every((size) => size > 400),
            `keys per primary: ${sizes}`,
        );
    });

    it("refuses a wrong password before any write, without echoing it", async () => {
        await assert.rejects(warm(await options("wrong-password-3")), (err: Error & { code?: string }) => {
            assert.equal(err.code, "WARM_CONNECTION");
            assert.doesNotMatch(err.message, /wrong-password-3/);
            return true;
        });
    });
});

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
            { connectTimeoutMs: 2000, commandTimeoutMs: 2000, redactor: new Redactor([]), concurrency: 1 },
            {
                encode: (record, encoder) => encoder.command(["SET", record.key as string, record.value as string]),
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
