// warmReplicas against real PostgreSQL servers: every replica warmed and reported per relation, and servers
// that do not answer named in one error, each within its own connect timeout.
import assert from "node:assert/strict";
import { Client } from "pg";
import { ReplicaWarmError, warmReplicas } from "../../warmers/replica/warm";
import { blackHole } from "../agent/endpoints";
import { closedPort, PostgresServer, startPostgres, testPostgres } from "../support/servers";
import { createCatalogue, INDEX, relationBlocks, TABLE } from "./fixtures";

describe("replica warm: pg_prewarm on each replica", function () {
    this.timeout(60_000);
    let shared: PostgresServer;
    let own: PostgresServer;

    before(async () => {
        [shared, own] = await Promise.all([testPostgres(), startPostgres()]);
        await Promise.all([createCatalogue(shared.url, 5_000), createCatalogue(own.url, 5_000)]);
        const client = new Client({ connectionString: shared.url });
        await client.connect();
        await client.query("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
        await client.end();
    });

    after(() => own?.stop());

    it("loads every relation on every replica and reports the blocks per server and relation", async () => {
        const lines: string[] = [];
        const report = await warmReplicas({
            primary: own.url,
            replicas: [shared.url, own.url],
            relations: [TABLE, INDEX],
            log: (line) => lines.push(line),
        });
        const expected = async (pg: PostgresServer) => ({
            [TABLE]: await relationBlocks(pg.url, TABLE),
            [INDEX]: await relationBlocks(pg.url, INDEX),
        });
        assert.deepEqual(report.blocksLoaded, {
            [`127.0.0.1:${shared.port}`]: await expected(shared),
            [`127.0.0.1:${own.port}`]: await expected(own),
        });
        assert.equal(lines.length, 4);
        assert.match(lines[0], /^127\.0\.0\.1:\d+: catalog\.products: \d+ blocks loaded$/);
    });

    it("warms nothing and connects nowhere without relations or replicas", async () => {
        const port = await closedPort();
        const none = { blocksLoaded: {}, resident: {}, totalBlocks: 0, durationMs: 0 };
        assert.deepEqual(await warmReplicas({ replicas: [`postgres://u@127.0.0.1:${port}/db`], relations: [] }), none);
        assert.deepEqual(await warmReplicas({ replicas: [], relations: [TABLE] }), none);
    });

    it("names each server that does not answer, each failing within its own connect timeout", async () => {
        const silent = await blackHole();
        const refused = await closedPort();
        try {
            const started = Date.now();
            await assert.rejects(
                warmReplicas({
                    replicas: [
                        `postgres://warmer:s3cret-pw@127.0.0.1:${silent.port}/db`,
                        shared.url,
                        `postgres://warmer:s3cret-pw@127.0.0.1:${refused}/db`,
                    ],
                    relations: [TABLE],
                    connectTimeoutMs: 300,
                }),
                (err: ReplicaWarmError) => {
                    assert.equal(err.code, "WARM_CONNECTION");
                    assert.match(
                        err.message,
                        new RegExp(`127\\.0\\.0\\.1:${silent.port}: cannot connect: .*timed out after 300 ms`),
                    );
                    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${refused}: cannot connect: .*ECONNREFUSED`));
                    assert.ok(!err.message.includes("s3cret-pw"));
                    return true;
                },
            );
            assert.ok(Date.now() - started < 3_000, "one connect timeout, not the sum");
        } finally {
            await silent.close();
        }
    });

    it("stops a relation load that outlives its own timeout, naming the server", async () => {
        // A session holding the table's exclusive lock: pg_prewarm waits on it as on a slow disk.
        const locker = new Client({ connectionString: own.url });
        await locker.connect();
        try {
            await locker.query(`BEGIN; LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE`);
            const started = Date.now();
            await assert.rejects(
                warmReplicas({ replicas: [own.url], relations: [TABLE], relationTimeoutMs: 300 }),
                (err: ReplicaWarmError) =>
                    err.code === "WARM_CONNECTION" &&
                    new RegExp(`^127\\.0\\.0\\.1:${own.port}: .*timed out after 300 ms`).test(err.message),
            );
            assert.ok(Date.now() - started < 3_000);
        } finally {
            await locker.query("ROLLBACK");
            await locker.end();
        }
    });
});
