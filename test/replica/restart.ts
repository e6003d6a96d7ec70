// A PostgreSQL from warmers/local/servers.ts restarted with cold shared buffers, as a new replica opens: autoprewarm
// turned off first (it would reload what the server dumped at shutdown, which a new replica does not have), then
// `pg_ctl restart`. The restarted postmaster is pg_ctl's, not the starter's: stop() stops it before the starter
// removes the data dir. (warmers/local/servers.ts has no restart for PostgreSQL; this stands in until it does.)
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import type { PostgresServer } from "../../warmers/local/servers";

const run = promisify(execFile);
const PG_CTL_TIMEOUT_S = 30;

export interface ColdRestartable {
    server: PostgresServer;
    /** Restarts with empty shared buffers (the OS page cache stays: the local stand-in for RDS's S3 reads). */
    restart(): Promise<void>;
    /** Stops the restarted postmaster, then the server as its starter would. */
    stop(): Promise<void>;
}

async function query<T extends Record<string, unknown>>(server: PostgresServer, text: string): Promise<T[]> {
    const client = new Client({ connectionString: server.url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
        return (await client.query<T>(text)).rows;
    } finally {
        await client.end();
    }
}

export async function coldRestartable(server: PostgresServer): Promise<ColdRestartable> {
    const [{ data_directory: dataDir }] = await query<{ data_directory: string }>(server, "SHOW data_directory");
    const [{ bin }] = await query<{ bin: string }>(
        server,
        "SELECT setting AS bin FROM pg_config() AS c(name, setting) WHERE name = 'BINDIR'",
    ).catch(async () => [{ bin: "" }]);
    const pgCtl = bin ? path.join(bin, "pg_ctl") : "pg_ctl";
    // pg_ctl must run as the data dir's owner (the starter runs PostgreSQL unprivileged when we are root).
    const { uid, gid } = fs.statSync(dataDir);
    const pgCtlAs = (...args: string[]) =>
        run(pgCtl, ["-D", dataDir, "-t", String(PG_CTL_TIMEOUT_S), ...args], { uid, gid, cwd: path.dirname(dataDir) });
    await query(server, "ALTER SYSTEM SET pg_prewarm.autoprewarm = off");
    let restarted = false;
    return {
        server,
        async restart() {
            await pgCtlAs("-m", "fast", "-w", "restart", "-l", path.join(path.dirname(dataDir), "restarted.log"));
            restarted = true;
        },
        async stop() {
            if (restarted) await pgCtlAs("-m", "immediate", "-w", "stop").catch(() => undefined);
            await server.stop();
        },
    };
}
