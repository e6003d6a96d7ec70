// warm-db checks every relation and the room they need before anything loads: partitioned tables, views, missing
// and malformed names are named in one error; relations larger than shared_buffers are refused (the last loaded
// would evict the first); what is resident afterwards is reported through pg_buffercache, or said to be unknown.
// A wrong password or a missing database is input (exit 2), not a server to retry.
import assert from "node:assert/strict";
import { Client } from "pg";
import { EXIT, exitCodeFor } from "../../warmers";
import { ReplicaWarmError, warmReplicas } from "../../warmers/replica/warm";
import { startPostgres, type PostgresServer } from "../support/servers";
import { createCatalogue, INDEX, relationBlocks, TABLE } from "./fixtures";

async function run(url: string, sql: string): Promise<void> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
        await client.query(sql);
    } finally {
        await client.end();
    }
}

describe("replica warm: checks before any load", function () {
    this.timeout(90_000);
    let small: PostgresServer; // shared_buffers 1 MB, a login that needs a password
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);

    before(async () => {
        small = await startPostgres({ settings: ["shared_buffers=1MB"], passwordRoles: ["reader"] });
        await createCatalogue(small.url, 3_000);
        await run(
            small.url,
            `CREATE EXTENSION IF NOT EXISTS pg_prewarm;
             CREATE ROLE reader LOGIN PASSWORD 'reader-pass-4';
             CREATE TABLE catalog.orders (id int, at date) PARTITION BY RANGE (at);
             CREATE TABLE catalog.orders_2026 PARTITION OF catalog.orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
             CREATE TABLE catalog.orders_2027 PARTITION OF catalog.orders FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
             CREATE VIEW catalog.cheap AS SELECT * FROM catalog.products WHERE price < 10;
             CREATE TABLE catalog.big AS SELECT g AS id, repeat('x', 500) AS pad FROM generate_series(1, 4000) g;`,
        );
    });
    after(() => small?.stop());
    beforeEach(() => lines.splice(0));

    it("names a partitioned table, a view, a missing and a malformed name in one error, and loads nothing", async () => {
        await assert.rejects(
            warmReplicas({
                replicas: [small.url],
                relations: [TABLE, "catalog.orders", "catalog.cheap", "catalog.nope", "a.b.c.d", INDEX],
                log,
            }),
            (err: unknown) => {
                assert.ok(err instanceof ReplicaWarmError, String(err));
                assert.equal(err.code, "WARM_INPUT");
                assert.equal(
                    err.message,
                    `127.0.0.1:${small.port}: "a.b.c.d" is not a relation name; ` +
                        '"catalog.orders" is a partitioned table, with no blocks of its own: give its partitions (catalog.orders_2026, catalog.orders_2027); ' +
                        '"catalog.cheap" is a view, with no blocks: give the tables and indexes it reads; ' +
                        'no relation named "catalog.nope" (give tables, materialized views or indexes as schema.name, as \\d lists them)',
                );
                return true;
            },
        );
        assert.deepEqual(lines, [], "nothing was loaded");
    });

    it("refuses relations larger than shared_buffers before loading any, naming both sizes", async () => {
        await assert.rejects(
            warmReplicas({ replicas: [small.url], relations: [TABLE, "catalog.big"], log }),
            (err: unknown) => {
                assert.ok(err instanceof ReplicaWarmError, String(err));
                assert.equal(err.code, "WARM_INPUT");
                assert.match(
                    err.message,
                    /^127\.0\.0\.1:\d+: the relations take [\d.]+ MiB, more than shared_buffers \(1\.0 MiB\): the last loaded would evict the first; warm fewer relations \(the hottest\) or raise shared_buffers$/,
                );
                return true;
            },
        );
        assert.deepEqual(lines, []);
    });

    it("reports what is resident after, through pg_buffercache, or says it cannot see it", async () => {
        const server = `127.0.0.1:${small.port}`;
        const unseen = await warmReplicas({ replicas: [small.url], relations: [TABLE, INDEX] });
        assert.deepEqual(unseen.resident, { [server]: null });

        await run(small.url, "CREATE EXTENSION IF NOT EXISTS pg_buffercache");
        const report = await warmReplicas({ replicas: [small.url], relations: [TABLE, INDEX] });
        const blocks: Record<string, number> = {
            [TABLE]: await relationBlocks(small.url, TABLE),
            [INDEX]: await relationBlocks(small.url, INDEX),
        };
        assert.deepEqual(report.blocksLoaded, { [server]: blocks });
        // What pg_buffercache counts afterwards: at most what was loaded (1 MB of buffers is shared with the catalog).
        const resident = report.resident[server]!;
        assert.deepEqual(Object.keys(resident), [TABLE, INDEX]);
        for (const relation of [TABLE, INDEX])
            assert.ok(resident[relation] > 0 && resident[relation] <= blocks[relation], JSON.stringify(resident));
    });

    it("a wrong password or a missing database is input, exit 2, not a server to retry", async () => {
        const url = (password: string, db = "postgres") =>
            `postgres://reader:${password}@${small.host}:${small.port}/${db}`;
        for (const [given, words] of [
            [
                url("wrong-pass-5"),
                /refused the login \(check the user and password in the URL.*\): password authentication failed/,
            ],
            [
                url("reader-pass-4", "no_such_db"),
                /refused the login \(check the database name in the URL\): database "no_such_db" does not exist/,
            ],
        ] as const) {
            await assert.rejects(warmReplicas({ replicas: [given], relations: [TABLE] }), (err: unknown) => {
                assert.ok(err instanceof ReplicaWarmError, String(err));
                assert.equal(exitCodeFor(err.code), EXIT.input);
                assert.match(err.message, words);
                assert.doesNotMatch(err.message, /wrong-pass-5|reader-pass-4/);
                return true;
            });
        }
    });
});
