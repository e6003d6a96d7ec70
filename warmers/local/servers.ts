// Private redis-server and PostgreSQL processes on free loopback ports and temp dirs, for the test suite,
// the benchmarks and `warmstack drill`. Each caller stops what it starts; the exit hooks below kill whatever
// a crash or a signal leaves behind.
import { ChildProcess, SpawnOptions, execFile, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Redis from "ioredis";
import { Client } from "pg";
import { failFastRedisOptions } from "../engine/redis-options";
import { sleep } from "../timeout";

const HOST = "127.0.0.1";
const PG_USER = "warmstack";
const PG_DATABASE = "postgres";
const STOP_TIMEOUT_MS = 5_000;
const REDIS_READY_MS = 10_000;
const PG_READY_MS = 15_000;
const TAIL_LINES = 30;
// A cluster node's bus listens on its port + 10000, so ports stay ≤ 55535. Both are drawn below the kernel's
// ephemeral range (32768 and up), where no outgoing connection can take one between the check and the bind.
const CLUSTER_PORTS = { first: 10_000, last: 22_767 };
const CLUSTER_BUS_OFFSET = 10_000;
const CLUSTER_NODE_TIMEOUT_MS = 2_000;
const CLUSTER_READY_MS = 30_000;

export interface RedisServer {
    readonly host: string;
    /** The one port it listens on: plaintext, or TLS only when started with `tls`. */
    readonly port: number;
    /** redis://, or rediss:// when started with `tls`. */
    readonly url: string;
    /** The certificates of its TLS port, when started with `tls`. */
    readonly tls?: Certificates;
    /** Graceful shutdown (SIGTERM), then removes the data dir. */
    stop(): Promise<void>;
    /** SIGKILL, keeping port and data dir for restart(): for fault tests. */
    kill(): Promise<void>;
    /** Starts again on the same port and data dir (shutting down first if still running). */
    restart(): Promise<void>;
}

export interface PostgresServer {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly database: string;
    readonly url: string;
    stop(): Promise<void>;
}

interface Stoppable {
    stop(): Promise<void>;
}

// Everything still running, so stopAllServers() and the exit hooks can clean up after forgetful callers.
const active = new Set<Stoppable>();
const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();

// Async cleanup cannot run once the process is exiting (crash, process.exit): kill synchronously.
function killAllSync(): void {
    for (const child of liveChildren) child.kill("SIGKILL");
    for (const dir of tempDirs) {
        try {
            fs.rmSync(dir, { recursive: true, force: true });
        } catch {
            // Best effort: a dying server may still hold the dir.
        }
    }
}
let hooked = false;

/** Installed when the first server starts, so importing this module changes nothing about the process. */
function installExitHooks(): void {
    if (hooked) return;
    hooked = true;
    process.on("exit", killAllSync);
    // A fatal signal (CI timeout, kill) skips "exit": clean up, then re-raise so the default action still
    // applies. SIGINT is left alone: Ctrl-C reaches the servers directly, they share our process group.
    for (const signal of ["SIGTERM", "SIGHUP"] as const) {
        process.once(signal, () => {
            killAllSync();
            process.kill(process.pid, signal);
        });
    }
}

/** Stops every server this process started and has not stopped yet. */
export async function stopAllServers(): Promise<void> {
    await Promise.all([...active].map((server) => server.stop()));
}

/** A spawned process that keeps its recent output, so a failed start can say why. */
class TrackedProcess {
    private readonly child: ChildProcess;
    private output = "";
    private done = false;
    readonly exited: Promise<void>;

    constructor(
        readonly name: string,
        command: string,
        args: string[],
        options: SpawnOptions,
    ) {
        this.child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
        liveChildren.add(this.child);
        const record = (chunk: Buffer | string) => {
            this.output = (this.output + chunk.toString()).slice(-16_384);
        };
        this.child.stdout?.on("data", record);
        this.child.stderr?.on("data", record);
        this.exited = new Promise((resolve) => {
            const finish = () => {
                this.done = true;
                liveChildren.delete(this.child);
                resolve();
            };
            this.child.once("exit", finish);
            this.child.once("error", (err) => {
                record(`${err.message}\n`);
                finish();
            });
        });
    }

    get running(): boolean {
        return !this.done;
    }

    get exitCode(): number | null {
        return this.child.exitCode;
    }

    status(): string {
        return `${this.name} exited (code ${this.child.exitCode}, signal ${this.child.signalCode})`;
    }

    tail(): string {
        const lines = this.output.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
        return lines ? `\n--- last output of ${this.name} ---\n${lines}` : "";
    }

    /** Sends `signal`, waits for exit and escalates to SIGKILL after STOP_TIMEOUT_MS. */
    async terminate(signal: NodeJS.Signals): Promise<void> {
        if (this.done) return;
        this.child.kill(signal);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
            this.exited.then(() => false),
            new Promise<boolean>((resolve) => {
                timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
            }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
            this.child.kill("SIGKILL");
            await this.exited;
        }
    }
}

class ManagedRedis implements RedisServer {
    readonly host = HOST;
    readonly url: string;
    private proc: TrackedProcess | undefined;
    private stopping: Promise<void> | undefined;

    constructor(
        readonly port: number,
        private readonly binary: string,
        private readonly args: string[],
        private readonly dir: string,
        readonly tls: Certificates | undefined,
    ) {
        this.url = `${tls ? "rediss" : "redis"}://${HOST}:${port}`;
    }

    async start(): Promise<void> {
        this.proc = new TrackedProcess(`redis-server on port ${this.port}`, this.binary, this.args, { cwd: this.dir });
        await waitUntilReady(this.proc, REDIS_READY_MS, () => pingRedis(this.port, this.tls));
    }

    stop(): Promise<void> {
        this.stopping ??= (async () => {
            await this.proc?.terminate("SIGTERM");
            await removeTempDir(this.dir);
            active.delete(this);
        })();
        return this.stopping;
    }

    async kill(): Promise<void> {
        await this.proc?.terminate("SIGKILL");
    }

    async restart(): Promise<void> {
        if (this.stopping) throw new Error(`${this.url} was stopped and its data dir removed; it cannot restart`);
        await this.proc?.terminate("SIGTERM");
        await this.start();
    }
}

/**
 * Starts an independent redis-server (extra `args` are appended); the caller stops it. With `tls`, it listens
 * on TLS only (no plaintext port), with those certificates, and asks clients for none of their own.
 */
export async function startRedis(opts: { args?: string[]; tls?: Certificates } = {}): Promise<RedisServer> {
    return launchRedis(await freePort(), opts.args ?? [], opts.tls);
}

async function launchRedis(port: number, extraArgs: string[], tls?: Certificates): Promise<RedisServer> {
    const binary = findOnPath("redis-server");
    if (!binary) {
        throw new Error('redis-server not found on PATH: run "npm run setup" (or apt-get install -y redis-server)');
    }
    const dir = makeTempDir("warmstack-redis-");
    const listen = tls
        ? [
              "--port",
              "0",
              "--tls-port",
              String(port),
              ...["--tls-cert-file", tls.certFile, "--tls-key-file", tls.keyFile],
          ]
        : ["--port", String(port)];
    const args = [
        ...listen,
        ...(tls ? ["--tls-ca-cert-file", tls.caFile, "--tls-auth-clients", "no"] : []),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        ...extraArgs,
    ];
    const server = new ManagedRedis(port, binary, args, dir, tls);
    active.add(server);
    try {
        await server.start();
    } catch (err) {
        await server.stop();
        throw err;
    }
    return server;
}

export interface RedisCluster {
    /** Every node, primaries and replicas; which is which is the cluster's to say (a failover swaps them). */
    readonly nodes: readonly RedisServer[];
    /** One node's URL: what a client given `--cluster` starts from. */
    readonly url: string;
    /** Resolves once every node agrees on the same roles and slot owners, all slots are served and every replica is in sync. */
    settled(): Promise<void>;
    stop(): Promise<void>;
}

/**
 * Starts a Redis Cluster of `primaries` × (1 + `replicas`) private redis-servers (ports ≤ 55535, node timeout
 * 2 s), joined by `redis-cli --cluster create`; resolves once it has settled. With `password`, every node requires
 * it (replicas too, to their primaries). With `tls`, every node listens on TLS only, and the cluster bus and
 * replication run over TLS too: an encrypted cluster, as ElastiCache's in-transit encryption makes one. The caller
 * stops it.
 */
export async function startRedisCluster(
    opts: { primaries?: number; replicas?: number; password?: string; args?: string[]; tls?: Certificates } = {},
): Promise<RedisCluster> {
    const { primaries = 3, replicas = 0, password, tls } = opts;
    const redisCli = findOnPath("redis-cli");
    if (!redisCli)
        throw new Error('redis-cli not found on PATH: run "npm run setup" (or apt-get install -y redis-tools)');
    const ports = await clusterPorts(primaries * (1 + replicas));
    const args = [
        "--cluster-enabled",
        "yes",
        "--cluster-node-timeout",
        String(CLUSTER_NODE_TIMEOUT_MS),
        ...(password === undefined ? [] : ["--requirepass", password, "--masterauth", password]),
        ...(tls ? ["--tls-cluster", "yes", "--tls-replication", "yes"] : []),
        ...(opts.args ?? []),
    ];
    const launched = await Promise.allSettled(ports.map((port) => launchRedis(port, args, tls)));
    const nodes = launched.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    const cluster: RedisCluster = {
        nodes,
        url: nodes[0]?.url ?? "",
        settled: () => settledCluster(nodes, password),
        stop: once(async () => {
            await Promise.all(nodes.map((node) => node.stop()));
        }),
    };
    try {
        const failed = launched.find((result) => result.status === "rejected");
        if (failed) throw failed.reason;
        const create = [
            ...(password === undefined ? [] : ["--no-auth-warning", "-a", password]),
            ...(tls ? ["--tls", "--cacert", tls.caFile] : []),
            "--cluster",
            "create",
            ...nodes.map((node) => `${node.host}:${node.port}`),
        ];
        await promisify(execFile)(redisCli, [...create, "--cluster-replicas", String(replicas), "--cluster-yes"], {
            timeout: CLUSTER_READY_MS,
        });
        await cluster.settled();
    } catch (err) {
        await cluster.stop();
        throw err;
    }
    return cluster;
}

/** `count` ports ≤ 55535 whose bus ports (+10000) are free too. */
async function clusterPorts(count: number): Promise<number[]> {
    const ports: number[] = [];
    const span = CLUSTER_PORTS.last - CLUSTER_PORTS.first + 1;
    for (let tries = 0; ports.length < count; tries++) {
        if (tries > 1000)
            throw new Error(`no ${count} free port pairs in ${CLUSTER_PORTS.first}-${CLUSTER_PORTS.last}`);
        const port = CLUSTER_PORTS.first + Math.floor(Math.random() * span);
        if (ports.includes(port)) continue;
        if ((await portIsFree(port)) && (await portIsFree(port + CLUSTER_BUS_OFFSET))) ports.push(port);
    }
    return ports;
}

function portIsFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const probe = net.createServer();
        probe.once("error", () => resolve(false));
        probe.listen(port, HOST, () => probe.close(() => resolve(true)));
    });
}

async function settledCluster(nodes: readonly RedisServer[], password?: string): Promise<void> {
    const deadline = Date.now() + CLUSTER_READY_MS;
    for (;;) {
        const last = await clusterUnsettled(nodes, password).catch((err: Error) => err.message);
        if (!last) return;
        if (Date.now() >= deadline)
            throw new Error(`Redis Cluster did not settle within ${CLUSTER_READY_MS / 1000} s: ${last}`);
        await sleep(100);
    }
}

/** Why the cluster is not settled yet, or "" when it is. */
async function clusterUnsettled(nodes: readonly RedisServer[], password?: string): Promise<string> {
    const views = await Promise.all(
        nodes.map(async (node) => {
            const [state, table, replication] = await askRedis(
                node,
                password,
                ["CLUSTER", "INFO"],
                ["CLUSTER", "NODES"],
                ["INFO", "replication"],
            );
            return { node, state, table, replication };
        }),
    );
    for (const { node, state, table, replication } of views) {
        if (!/^cluster_state:ok/m.test(state)) return `${node.url}: cluster_state is not ok`;
        if (!new RegExp(`^cluster_known_nodes:${nodes.length}\\b`, "m").test(state))
            return `${node.url}: not every node known`;
        if (/fail|handshake|noaddr|disconnected/.test(table)) return `${node.url} sees a node failing or not connected`;
        if (/^role:slave/m.test(replication) && !/^master_link_status:up/m.test(replication))
            return `${node.url}: replica not in sync`;
    }
    const agreed = (table: string) =>
        table
            .trim()
            .split("\n")
            .map((line) => {
                const [id, address, flags, primary, , , , , ...slots] = line.split(" ");
                return [id, address, flags.replace("myself,", ""), primary, ...slots].join(" ");
            })
            .sort()
            .join("\n");
    const first = agreed(views[0].table);
    const disagreeing = views.find((view) => agreed(view.table) !== first);
    return disagreeing ? `${disagreeing.node.url} does not agree with ${views[0].node.url} on roles and slots` : "";
}

/** Runs commands on one local redis-server through a short-lived, fail-fast connection. */
async function askRedis(
    node: RedisServer,
    password: string | undefined,
    ...commands: [string, ...string[]][]
): Promise<string[]> {
    const client = localRedis(node.port, password, node.tls);
    client.on("error", () => {}); // failures surface through the commands
    try {
        await client.connect();
        return await Promise.all(commands.map(([name, ...args]) => client.call(name, ...args) as Promise<string>));
    } finally {
        client.disconnect();
    }
}

function localRedis(port: number, password?: string, tls?: Certificates): Redis {
    const options = failFastRedisOptions({ connectTimeoutMs: 500, commandTimeoutMs: 2000 });
    return new Redis({ ...options, host: HOST, port, password, tls: tls && clientTls(tls) });
}

/** What a client of a server with `certificates` trusts, and the name it checks (loopback is reached by address). */
export function clientTls(certificates: Certificates): { ca: string; servername?: string } {
    const named = certificates.names.includes(HOST) ? undefined : certificates.names[0];
    return { ca: certificates.ca, ...(named && { servername: named }) };
}

async function pingRedis(port: number, tls?: Certificates): Promise<void> {
    const client = localRedis(port, undefined, tls);
    let refusal: Error | undefined;
    client.on("error", (err: Error) => (refusal = err)); // read below; also keeps ioredis from logging it
    try {
        await client.connect();
        const reply = await client.ping();
        if (reply !== "PONG") throw new Error(`PING answered ${reply}`);
    } catch (err) {
        // A --requirepass server refuses the unauthenticated handshake: it is up, which is all this asks.
        if (!/NOAUTH/.test(refusal?.message ?? (err as Error).message)) throw err;
    } finally {
        client.disconnect();
    }
}

export interface Certificates {
    /** The private CA's certificate (PEM): what a client passes as `ca` to trust the server. */
    readonly ca: string;
    readonly caFile: string;
    /** The server's certificate, signed by the CA, and its key. */
    readonly certFile: string;
    readonly keyFile: string;
    /** The DNS names and IP addresses the server's certificate is valid for. */
    readonly names: readonly string[];
    remove(): Promise<void>;
}

/**
 * A private CA and a server certificate it signs for `names` (DNS names or IP addresses; loopback by default),
 * valid a day, in a temp dir the caller removes. EC keys: generated in milliseconds.
 */
export function makeCertificates(names: readonly string[] = [HOST]): Certificates {
    const dir = makeTempDir("warmstack-tls-");
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        "req",
        "-x509",
        ...newKey,
        "-keyout",
        file("ca.key"),
        "-out",
        file("ca.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=warmstack test CA",
    );
    openssl("req", ...newKey, "-keyout", file("server.key"), "-out", file("server.csr"), "-subj", `/CN=${names[0]}`);
    const altNames = names.map((name) => `${net.isIP(name) ? "IP" : "DNS"}:${name}`).join(",");
    fs.writeFileSync(file("server.ext"), `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    openssl(
        "x509",
        ...["-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key")],
        ...["-CAcreateserial", "-days", "1", "-extfile", file("server.ext"), "-out", file("server.pem")],
    );
    return {
        ca: fs.readFileSync(file("ca.pem"), "utf8"),
        caFile: file("ca.pem"),
        certFile: file("server.pem"),
        keyFile: file("server.key"),
        names,
        remove: () => removeTempDir(dir),
    };
}

/**
 * Starts an independent PostgreSQL (as an unprivileged user when run as root); the caller stops it. Every role
 * is trusted on loopback except those in `passwordRoles`, which must log in with a password (scram-sha-256).
 * `settings` (`"shared_buffers=1MB"`…) are passed as `-c` after the defaults.
 */
export async function startPostgres(
    opts: { passwordRoles?: string[]; settings?: string[] } = {},
): Promise<PostgresServer> {
    const { initdb, postgres, hasPgPrewarm } = findPostgres();
    const runAs = unprivilegedUser();
    const port = await freePort();
    const dir = makeTempDir("warmstack-pg-");
    const dataDir = path.join(dir, "data");
    // uid/gid make the spawned process postgres itself: through runuser, signals and the exit hook's
    // SIGKILL would hit runuser and could leave an orphaned postmaster.
    const options: SpawnOptions = { cwd: dir, ...runAs };
    let proc: TrackedProcess | undefined;
    const server: PostgresServer = {
        host: HOST,
        port,
        user: PG_USER,
        database: PG_DATABASE,
        url: `postgres://${PG_USER}@${HOST}:${port}/${PG_DATABASE}`,
        stop: once(async () => {
            await proc?.terminate("SIGINT"); // SIGINT = fast shutdown: does not wait for clients
            await removeTempDir(dir);
            active.delete(server);
        }),
    };
    active.add(server);
    try {
        if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
        // --locale=C: initdb fails on hosts whose LANG names a locale that is not generated.
        const init = new TrackedProcess(
            "initdb",
            initdb,
            ["-D", dataDir, "-A", "trust", "-U", PG_USER, "--no-sync", "-E", "UTF8", "--locale=C"],
            options,
        );
        await init.exited;
        if (init.exitCode !== 0) throw new Error(`${init.status()}${init.tail()}`);
        if (opts.passwordRoles?.length) {
            // pg_hba.conf is read top down: these lines come before initdb's trust lines.
            const hba = path.join(dataDir, "pg_hba.conf");
            const lines = opts.passwordRoles.map((role) => `host all ${role} ${HOST}/32 scram-sha-256\n`).join("");
            fs.writeFileSync(hba, lines + fs.readFileSync(hba, "utf8"));
        }

        const args = ["-D", dataDir, "-p", String(port), "-k", dir];
        for (const setting of [
            `listen_addresses=${HOST}`,
            "fsync=off",
            "synchronous_commit=off",
            "full_page_writes=off",
            "max_connections=200",
            ...(hasPgPrewarm ? ["shared_preload_libraries=pg_prewarm"] : []),
            ...(opts.settings ?? []),
        ]) {
            args.push("-c", setting);
        }
        proc = new TrackedProcess(`postgres on port ${port}`, postgres, args, options);
        await waitUntilReady(proc, PG_READY_MS, () => pingPostgres(port));
    } catch (err) {
        await server.stop();
        throw err;
    }
    return server;
}

async function pingPostgres(port: number): Promise<void> {
    const client = new Client({
        host: HOST,
        port,
        user: PG_USER,
        database: PG_DATABASE,
        connectionTimeoutMillis: 1000,
    });
    client.on("error", () => {}); // failures surface through connect()/query()
    try {
        await client.connect();
        await client.query("SELECT 1");
    } finally {
        await client.end();
    }
}

function findPostgres(): { initdb: string; postgres: string; hasPgPrewarm: boolean } {
    let initdb = findOnPath("initdb");
    let postgres = findOnPath("postgres");
    if (!initdb || !postgres) {
        const root = "/usr/lib/postgresql";
        const newest = (fs.existsSync(root) ? fs.readdirSync(root) : [])
            .filter((version) =>
                ["initdb", "postgres"].every((name) => isExecutable(path.join(root, version, "bin", name))),
            )
            .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))[0];
        if (!newest) {
            throw new Error(
                'PostgreSQL server (initdb/postgres) not found on PATH or in /usr/lib/postgresql/*/bin: run "npm run setup" (or apt-get install -y postgresql)',
            );
        }
        initdb = path.join(root, newest, "bin", "initdb");
        postgres = path.join(root, newest, "bin", "postgres");
    }
    // PATH entries are often symlinks (Debian's /usr/lib/postgresql/N/bin): look beside the real binary.
    const installDir = path.dirname(path.dirname(fs.realpathSync(postgres)));
    const hasPgPrewarm = ["lib", "lib/postgresql"].some((lib) =>
        fs.existsSync(path.join(installDir, lib, "pg_prewarm.so")),
    );
    return { initdb, postgres, hasPgPrewarm };
}

/** PostgreSQL refuses to run as root; returns the user to run it as, or undefined when not root. */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    for (const name of ["postgres", "nobody"]) {
        try {
            const id = (flag: string) =>
                Number(
                    execFileSync("id", [flag, name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(),
                );
            return { uid: id("-u"), gid: id("-g") };
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") throw err; // `id` itself is missing
            // No such user: try the next one.
        }
    }
    throw new Error("running as root, but neither a postgres nor a nobody user exists to run PostgreSQL as");
}

async function waitUntilReady(proc: TrackedProcess, timeoutMs: number, probe: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (!proc.running) throw new Error(`${proc.status()} during start-up${proc.tail()}`);
        try {
            await probe();
            return;
        } catch (err) {
            if (Date.now() >= deadline) {
                throw new Error(
                    `${proc.name} did not become ready within ${timeoutMs / 1000} s: ${(err as Error).message}${proc.tail()}`,
                    {
                        cause: err,
                    },
                );
            }
        }
        await sleep(50);
    }
}

/** A free loopback port: nothing listens on it (until someone binds it). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.once("error", reject);
        probe.listen(0, HOST, () => {
            const { port } = probe.address() as net.AddressInfo;
            probe.close(() => resolve(port));
        });
    });
}

function findOnPath(name: string): string | undefined {
    return (process.env.PATH ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, name))
        .find(isExecutable);
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

function makeTempDir(prefix: string): string {
    installExitHooks(); // every server starts here, before its first process
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

async function removeTempDir(dir: string): Promise<void> {
    await fs.promises.rm(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
}

function once(fn: () => Promise<void>): () => Promise<void> {
    let result: Promise<void> | undefined;
    return () => (result ??= fn());
}
