// `npm run bench:connections`: the first request on a cold pool vs on a pool warmed by prewarmPgPool, side by
// side against a private local PostgreSQL, plain and TLS (self-signed certificate), each compared with the
// steady-state request. Target: warm first ≤ 1.2 × steady. RUNS=n (default 100) sets the repetitions.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { ConnectionOptions } from "node:tls";
import { Client, Pool } from "pg";
import { PgPoolWarmOptions, prewarmPgPool } from "../warmers/agent/pools";
import { PostgresServer, stopTestServers, testPostgres } from "../test/support/servers";

const RUNS = Number(process.env.RUNS ?? 100);
const UNRECORDED_RUNS = 5; // the first pools in a process also pay for JIT and module loading
const POOL_SIZE = 10;
const STEADY_REQUESTS = 10;
/** Every timed request arrives this long after the previous activity, first and steady alike: the same arrival
 * pattern on both sides of the ratio, so it isolates the pool's state (back-to-back requests run hotter). */
const GAP_MS = 5;
const ROWS = 10_000;
const TARGET = 1.2;
/** A representative request: a primary-key lookup, which also loads the table into the backend's catalog caches. */
const REQUEST = "SELECT id, payload FROM bench_items WHERE id = $1";

interface Mode {
    name: string;
    ssl?: ConnectionOptions;
}

/** How the pool is prepared before its first request. */
const VARIANTS: Array<{ name: string; warm?: PgPoolWarmOptions }> = [
    { name: "cold" },
    { name: "validated", warm: { timeoutMs: 10_000 } },
    { name: "warmed", warm: { timeoutMs: 10_000, warmQueries: [{ text: REQUEST, values: [0] }] } },
];

/**
 * Turns TLS on in the running server (ssl is reloadable): a self-signed certificate in its data directory,
 * owned by the server's user as PostgreSQL requires for the key. Returns the CA the clients verify against.
 */
async function enableTls(admin: Client): Promise<string> {
    const { rows } = await admin.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    const dataDir = rows[0].dir;
    const [cert, key] = ["bench-server.crt", "bench-server.key"].map((f) => path.join(dataDir, f));
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        { stdio: "ignore" },
    );
    const owner = fs.statSync(dataDir);
    for (const file of [cert, key]) {
        if (process.getuid?.() === 0) fs.chownSync(file, owner.uid, owner.gid);
        fs.chmodSync(file, 0o600);
    }
    await admin.query(`ALTER SYSTEM SET ssl_cert_file = '${cert}'`);
    await admin.query(`ALTER SYSTEM SET ssl_key_file = '${key}'`);
    await admin.query("ALTER SYSTEM SET ssl = on");
    await admin.query("SELECT pg_reload_conf()");
    return fs.readFileSync(cert, "utf8");
}

async function assertTls(pg: PostgresServer, ssl: ConnectionOptions): Promise<void> {
    const client = new Client({ host: pg.host, port: pg.port, user: pg.user, database: pg.database, ssl });
    await client.connect();
    try {
        const { rows } = await client.query<{ ssl: boolean }>(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        );
        if (!rows[0]?.ssl) throw new Error("the connection is not encrypted");
    } finally {
        await client.end();
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed(work: () => Promise<unknown>): Promise<number> {
    await sleep(GAP_MS);
    const started = performance.now();
    await work();
    return performance.now() - started;
}

/** One fresh pool, prepared as `warm` says (untimed), then its first request and STEADY_REQUESTS more. */
async function run(
    pg: PostgresServer,
    mode: Mode,
    warm: PgPoolWarmOptions | undefined,
): Promise<{ first: number; steady: number[] }> {
    const pool = new Pool({
        host: pg.host,
        port: pg.port,
        user: pg.user,
        database: pg.database,
        ssl: mode.ssl,
        max: POOL_SIZE,
        idleTimeoutMillis: 0,
    });
    // pool.end() resolves before TLS sockets finish closing: the server's shutdown after the last run must not crash us.
    pool.on("error", () => undefined);
    const id = () => 1 + Math.floor(Math.random() * ROWS);
    try {
        if (warm) (await prewarmPgPool(pool, POOL_SIZE, warm)).stop();
        const first = await timed(() => pool.query(REQUEST, [id()]));
        const steady: number[] = [];
        for (let i = 0; i < STEADY_REQUESTS; i++) steady.push(await timed(() => pool.query(REQUEST, [id()])));
        return { first, steady };
    } finally {
        await pool.end();
    }
}

function quantile(values: number[], q: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const f = (ms: number) => ms.toFixed(3);
const cell = (values: number[]) => `${f(quantile(values, 0.5))} / ${f(quantile(values, 0.9))}`;

async function main(): Promise<void> {
    const pg = await testPostgres();
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    const modes: Mode[] = [{ name: "plain" }];
    try {
        await admin.query(
            `CREATE TABLE bench_items AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, ${ROWS}) g`,
        );
        await admin.query("ALTER TABLE bench_items ADD PRIMARY KEY (id)");
        try {
            const ssl = { ca: await enableTls(admin), servername: "localhost" };
            await assertTls(pg, ssl);
            modes.push({ name: "tls", ssl });
        } catch (err) {
            console.log(
                `note: TLS case skipped, the server could not be set up with a self-signed certificate: ${(err as Error).message}`,
            );
        }
    } finally {
        await admin.end();
    }

    // Each run's first request is divided by the median of that same run's later requests, so load drifting
    // on a shared machine cancels out of the ratio.
    const key = (mode: Mode, variant: string) => `${mode.name} ${variant}`;
    const firsts = new Map<string, number[]>();
    const ratios = new Map<string, number[]>();
    const steady = new Map<string, number[]>();
    const push = (map: Map<string, number[]>, k: string, ...values: number[]) =>
        map.set(k, [...(map.get(k) ?? []), ...values]);
    for (let i = 0; i < UNRECORDED_RUNS + RUNS; i++) {
        for (const mode of modes) {
            // Rotate the order, so no variant always runs right after another's pool.end().
            for (let k = 0; k < VARIANTS.length; k++) {
                const variant = VARIANTS[(i + k) % VARIANTS.length];
                const sample = await run(pg, mode, variant.warm);
                if (i < UNRECORDED_RUNS) continue;
                push(firsts, key(mode, variant.name), sample.first);
                push(ratios, key(mode, variant.name), sample.first / quantile(sample.steady, 0.5));
                push(steady, mode.name, ...sample.steady);
            }
        }
    }

    console.log(
        `PostgreSQL ${pg.host}:${pg.port}, pool of ${POOL_SIZE}, ${RUNS} runs per row (after ${UNRECORDED_RUNS} unrecorded), ` +
            `every request ${GAP_MS} ms after the previous one: ${REQUEST}`,
    );
    console.log(
        "cold: new pool; validated: prewarmPgPool (SELECT 1); warmed: prewarmPgPool with the request as warm query; " +
            `steady: requests 2..${STEADY_REQUESTS + 1} of each pool`,
    );
    console.log(["", "ms median / p90", "first/steady median / p90"].map((c) => c.padEnd(28)).join(""));
    let met = true;
    for (const mode of modes) {
        for (const variant of VARIANTS) {
            const r = ratios.get(key(mode, variant.name))!;
            if (variant === VARIANTS[VARIANTS.length - 1]) met &&= quantile(r, 0.5) <= TARGET;
            const ratio = `${quantile(r, 0.5).toFixed(2)}× / ${quantile(r, 0.9).toFixed(2)}×`;
            console.log(
                [`${mode.name} ${variant.name} first`, cell(firsts.get(key(mode, variant.name))!), ratio]
                    .map((c) => c.padEnd(28))
                    .join(""),
            );
        }
        console.log([`${mode.name} steady`, cell(steady.get(mode.name)!)].map((c) => c.padEnd(28)).join(""));
    }
    console.log(`target: warmed first ≤ ${TARGET}× steady (median ratio): ${met ? "met" : "MISSED"}`);
}

main()
    .catch((err: Error) => {
        console.error(err);
        process.exitCode = 1;
    })
    .finally(() => stopTestServers());
