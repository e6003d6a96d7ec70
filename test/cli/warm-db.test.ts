// `warmstack warm-db` against a real PostgreSQL restarted with cold buffers, as a new replica opens: after the
// warm, the hot query finds every block in shared buffers; without it, it reads them.
import assert from "node:assert/strict";
import { warmDbCommand } from "../../warmers/cli/warm-db";
import { ReplicaWarmError, ReplicaWarmReport } from "../../warmers/replica/warm";
import { WarmInputError } from "../../warmers/engine/errors";
import { createCatalogue, explainHot, INDEX, relationBlocks, TABLE } from "../replica/fixtures";
import { ColdRestartable, coldRestartable } from "../replica/restart";
import { startPostgres } from "../support/servers";

/** Runs `warmstack warm-db ARGS` in this process; resolves with what it printed. */
async function warmDb(...args: string[]): Promise<string> {
    let out = "";
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    try {
        await warmDbCommand().exitOverride().parseAsync(args, { from: "user" });
    } finally {
        process.stdout.write = write;
    }
    return out;
}

describe("warmstack warm-db: a cold replica's buffers, warmed", function () {
    this.timeout(120_000);
    let pg: ColdRestartable;
    let url: string;

    before(async () => {
        pg = await coldRestartable(await startPostgres());
        url = pg.server.url;
        await createCatalogue(url);
    });

    after(() => pg?.stop());

    it("without the warm, the first hot query after a restart reads its blocks", async () => {
        await pg.restart();
        const cold = await explainHot(url);
        assert.ok(cold.read > 0, `blocks read: ${cold.read}`);
    });

    it("names a missing pg_prewarm extension, and creates it when given the primary", async () => {
        await assert.rejects(
            warmDb(url, "--relation", TABLE),
            (err: ReplicaWarmError) =>
                err.code === "WARM_INPUT" &&
                err.message.startsWith(`127.0.0.1:${pg.server.port}: the pg_prewarm extension is not installed`),
        );
        await warmDb(url, "--primary", url, "--relation", TABLE);
    });

    it("after warm-db, every block of the hot query is a shared hit and none is read", async () => {
        await pg.restart();
        const report = JSON.parse(await warmDb(url, "--relation", TABLE, INDEX, "--json")) as ReplicaWarmReport;
        const server = `${pg.server.host}:${pg.server.port}`;
        assert.deepEqual(report.blocksLoaded, {
            [server]: { [TABLE]: await relationBlocks(url, TABLE), [INDEX]: await relationBlocks(url, INDEX) },
        });
        assert.equal(report.totalBlocks, report.blocksLoaded[server][TABLE] + report.blocksLoaded[server][INDEX]);
        const warm = await explainHot(url);
        assert.equal(warm.read, 0);
        assert.ok(warm.hit > 0);
    });

    it("prints one line per server and relation, and the total", async () => {
        const text = await warmDb(url, "--relation", TABLE);
        const blocks = await relationBlocks(url, TABLE);
        assert.match(
            text,
            new RegExp(`127\\.0\\.0\\.1:${pg.server.port}  catalog\\.products +${blocks} blocks  \\d+\\.\\d MiB`),
        );
        assert.match(
            text,
            new RegExp(`^${blocks} blocks \\(\\d+\\.\\d MiB\\) loaded on 1 server\\(s\\) in \\d+ ms$`, "m"),
        );
    });

    it("names a relation that does not exist, and loads nothing", async () => {
        await pg.restart();
        await assert.rejects(
            warmDb(url, "--relation", TABLE, "catalog.prodcts"),
            (err: ReplicaWarmError) =>
                err.code === "WARM_INPUT" && /no relation named "catalog\.prodcts"/.test(err.message),
        );
        assert.ok((await explainHot(url)).read > 0, "the good relation was not loaded either");
    });

    it("names a bad URL by its position, never echoing it, and a bad timeout by its flag", async () => {
        await assert.rejects(
            warmDb(url, "mysql://root:hunter2@db/x", "--relation", TABLE),
            (err: ReplicaWarmError) =>
                err.code === "WARM_INPUT" &&
                err.message === '<postgres-url> 2: a postgres://… or postgresql://… URL; given "mysql://db"',
        );
        await assert.rejects(
            warmDb(url, "--relation", TABLE, "--connect-timeout", "1e3"),
            (err: WarmInputError) =>
                err.field === "connectTimeout" && /a whole number ≥ 1; given "1e3"/.test(err.message),
        );
    });
});
