// A wrong database password or a missing database is the URL's fault, said as such — exit 2, naming the source
// and what to check — not "unreachable, retry" (exit 3, issue 26 item 14), and never blamed on --query: real
// PostgreSQL refuses them with SQLSTATE 28P01 (class 28) and 3D000. The password is never echoed, and nothing
// is written.
import assert from "node:assert/strict";
import type Redis from "ioredis";
import { Client } from "pg";
import { EXIT, exitCodeFor, warm, WarmInputError } from "../../warmers";
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

    it("is an input error naming the source, exit 2, without the password; the right one warms", async () => {
        await assert.rejects(warm(options(WRONG)), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, `${(err as Error).name}: ${(err as Error).message}`);
            assert.equal(err.field, "source");
            assert.equal(exitCodeFor(err.code), EXIT.input);
            assert.match(
                err.message,
                /^source: database postgres:\/\/warm_reader:\*\*\*@127\.0\.0\.1:\d+\/postgres refused the login: password authentication failed for user "warm_reader"; check the user and password in the URL/,
            );
            assert.doesNotMatch(err.message, new RegExp(WRONG));
            return true;
        });
        assert.equal(await target.redis.dbsize(), 0);

        const report = await warm(options(PASSWORD));
        assert.equal(report.keysWritten, 20);
    });

    it("a database that does not exist is an input error naming it, exit 2", async () => {
        const missing = { ...options(PASSWORD), source: source(PASSWORD).replace(/\/postgres$/, "/no_such_db") };
        await assert.rejects(warm(missing), (err: unknown) => {
            assert.ok(err instanceof WarmInputError, `${(err as Error).name}: ${(err as Error).message}`);
            assert.equal(exitCodeFor(err.code), EXIT.input);
            assert.match(
                err.message,
                /refused the login: database "no_such_db" does not exist; check the database name/,
            );
            return true;
        });
        assert.equal(await target.redis.dbsize(), 0);
    });
});
