// A wrong database password is a connection problem (exit 3, re-run once the secret is right), not bad --query
// input (exit 2): real PostgreSQL refuses it with SQLSTATE 28P01, class 28, which must stay a connection error
// (issue 27). The password is never echoed, and nothing is written.
import assert from "node:assert/strict";
import type Redis from "ioredis";
import { Client } from "pg";
import { EXIT, exitCodeFor, warm, WarmConnectionError } from "../../warmers";
import { startPostgres, type PostgresServer } from "../support/servers";
import { emptyTarget } from "./fixtures";

const ROLE = "warm_reader";
const PASSWORD = "right-password-5";
const WRONG = "wrong-password-9";

describe("warm: a postgres source that refuses the password", function () {
    this.timeout(60_000);
    let pg: PostgresServer;
    let target: { url: string; redis: Redis };

    before(async () => {
        pg = await startPostgres({ passwordRoles: [ROLE] });
        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        try {
            await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
            await admin.query(
                `CREATE TABLE hot AS SELECT 'pg-auth:' || g AS key, 'v' || g AS value FROM generate_series(1, 20) g`,
            );
            await admin.query(`GRANT SELECT ON hot TO ${ROLE}`);
        } finally {
            await admin.end();
        }
    });
    after(() => pg?.stop());
    beforeEach(async () => (target = await emptyTarget()));
    afterEach(() => target.redis.disconnect());

    const source = (password: string) => `postgres://${ROLE}:${password}@${pg.host}:${pg.port}/${pg.database}`;
    const options = (password: string) => ({
        source: source(password),
        query: "SELECT key, value FROM hot",
        redis: target.url,
    });

    it("is a connection error naming the source, exit 3, without the password; the right one warms", async () => {
        await assert.rejects(warm(options(WRONG)), (err: unknown) => {
            assert.ok(err instanceof WarmConnectionError, `${(err as Error).name}: ${(err as Error).message}`);
            assert.equal(err.role, "source");
            assert.equal(exitCodeFor(err.code), EXIT.connection);
            assert.match(err.message, /password authentication failed for user "warm_reader"/);
            assert.doesNotMatch(err.message, new RegExp(WRONG));
            return true;
        });
        assert.equal(await target.redis.dbsize(), 0);

        const report = await warm(options(PASSWORD));
        assert.equal(report.keysWritten, 20);
    });
});
