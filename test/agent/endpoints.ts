// Loopback stand-ins that answer in the real wire formats: IMDSv2, the Auto Scaling Query API, the Secrets
// Manager JSON API and a DNS server (dns2, UDP). The code under test talks to them through its endpoint
// overrides, exactly as it would talk to AWS; nothing here leaves 127.0.0.1.
import crypto from "node:crypto";
import http from "node:http";
import net from "node:net";
import dns2 from "dns2";

export const CREDENTIALS = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret-key" };
/** The instance role's session token, as IMDS hands it out beside {@link CREDENTIALS}. */
export const SESSION_TOKEN = "local-test-session-token";
export const INSTANCE_ROLE = "warmstack-app-role";

export interface LoopbackHttp {
    url: string;
    port: number;
    /** Server-side connections still open: a test can see whether the client closed its own. */
    open: Set<net.Socket>;
    close(): Promise<void>;
}

/** A loopback HTTP server calling `handler` with each request's whole body. */
export async function serve(
    handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void | Promise<void>,
    options: { keepAliveMs?: number } = {},
): Promise<LoopbackHttp> {
    const open = new Set<net.Socket>();
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on(
            "end",
            () =>
                void Promise.resolve(handler(req, body, res)).catch((err: Error) =>
                    res.writeHead(500).end(err.message),
                ),
        );
    });
    if (options.keepAliveMs !== undefined) server.keepAliveTimeout = options.keepAliveMs;
    server.on("connection", (socket: net.Socket) => {
        open.add(socket);
        socket.on("close", () => open.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        port,
        open,
        close: () =>
            new Promise((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

export interface FakeImds extends LoopbackHttp {
    /** `METHOD path` of every request, in order. */
    requests: string[];
    /** Served at /latest/meta-data/autoscaling/target-lifecycle-state; a test moves it as Auto Scaling would. */
    targetLifecycleState: string;
    /** The next this many requests get a 500, whatever they ask. */
    failNext: number;
    /**
     * Metadata answering 404 for a while: a path fragment → until when (ms), e.g. `iam/security-credentials/`
     * while the instance role attaches.
     */
    missing: Record<string, number>;
    /** Until this instant (ms), every answer waits `slowMs` first. */
    slowUntil: number;
    slowMs: number;
}

/** IMDSv2: a token from PUT /latest/api/token, required on every metadata GET. */
export async function fakeImds(identity: { instanceId: string; region: string }): Promise<FakeImds> {
    const token = "imds-session-token";
    const state = {
        requests: [] as string[],
        targetLifecycleState: "InService",
        failNext: 0,
        missing: {} as Record<string, number>,
        slowUntil: 0,
        slowMs: 0,
    };
    const server = await serve(async (req, _body, res) => {
        state.requests.push(`${req.method} ${req.url}`);
        if (Date.now() < state.slowUntil) await new Promise((resolve) => setTimeout(resolve, state.slowMs));
        if (state.failNext > 0) {
            state.failNext--;
            return void res.writeHead(500).end();
        }
        if (req.method === "PUT" && req.url === "/latest/api/token") {
            if (!req.headers["x-aws-ec2-metadata-token-ttl-seconds"]) return void res.writeHead(400).end();
            return void res.writeHead(200).end(token);
        }
        if (req.headers["x-aws-ec2-metadata-token"] !== token) return void res.writeHead(401).end();
        const metadata: Record<string, string> = {
            "/latest/meta-data/instance-id": identity.instanceId,
            "/latest/meta-data/placement/region": identity.region,
            "/latest/meta-data/autoscaling/target-lifecycle-state": state.targetLifecycleState,
            "/latest/meta-data/iam/security-credentials/": INSTANCE_ROLE,
            [`/latest/meta-data/iam/security-credentials/${INSTANCE_ROLE}`]: JSON.stringify(
                {
                    Code: "Success",
                    Type: "AWS-HMAC",
                    AccessKeyId: CREDENTIALS.accessKeyId,
                    SecretAccessKey: CREDENTIALS.secretAccessKey,
                    Token: SESSION_TOKEN,
                    Expiration: new Date(Date.now() + 3_600_000).toISOString(),
                },
                null,
                2,
            ),
        };
        const missing = Object.entries(state.missing).some(
            ([fragment, until]) => Date.now() < until && req.url?.includes(fragment),
        );
        const value = req.method === "GET" && !missing ? metadata[req.url ?? ""] : undefined;
        res.writeHead(value ? 200 : 404).end(value ?? "");
    });
    return Object.assign(state, server);
}

/** An HTTP server that accepts connections and never answers. */
export async function silentHttp(): Promise<LoopbackHttp> {
    return serve(() => undefined);
}

/**
 * The Auto Scaling Query API's CompleteLifecycleAction (form-encoded POST, XML answer). `onAction` runs before
 * the answer, so a test can look at the world at the moment the agent completes the hook.
 */
export async function fakeAutoScaling(
    onAction?: (params: URLSearchParams) => Promise<void> | void,
): Promise<LoopbackHttp & { actions: URLSearchParams[] }> {
    const actions: URLSearchParams[] = [];
    const server = await serve(async (req, body, res) => {
        const params = new URLSearchParams(body);
        if (req.method !== "POST" || params.get("Action") !== "CompleteLifecycleAction") {
            const error = `<Type>Sender</Type><Code>InvalidAction</Code><Message>unexpected ${params.get("Action")}</Message>`;
            return void res
                .writeHead(400, { "content-type": "text/xml" })
                .end(`<ErrorResponse><Error>${error}</Error><RequestId>r-1</RequestId></ErrorResponse>`);
        }
        actions.push(params);
        await onAction?.(params);
        res.writeHead(200, { "content-type": "text/xml" }).end(
            '<CompleteLifecycleActionResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><CompleteLifecycleActionResult/>' +
                `<ResponseMetadata><RequestId>req-${actions.length}</RequestId></ResponseMetadata></CompleteLifecycleActionResponse>`,
        );
    });
    return { ...server, actions };
}

/** Secrets Manager's GetSecretValue (AWS JSON 1.1) over `secrets` (ARN → SecretString). */
export async function fakeSecretsManager(secrets: Record<string, string>): Promise<LoopbackHttp> {
    return serve((req, body, res) => {
        const json = { "content-type": "application/x-amz-json-1.1" };
        if (req.headers["x-amz-target"] !== "secretsmanager.GetSecretValue")
            return void res.writeHead(400, json).end('{"__type":"UnknownOperationException"}');
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        if (!(SecretId in secrets)) {
            return void res.writeHead(400, json).end(
                JSON.stringify({
                    __type: "ResourceNotFoundException",
                    message: "Secrets Manager can't find the specified secret.",
                }),
            );
        }
        res.writeHead(200, json).end(
            JSON.stringify({
                ARN: SecretId,
                Name: SecretId.split(":").pop(),
                SecretString: secrets[SecretId],
                VersionId: "v1",
            }),
        );
    });
}

/**
 * S3's GetObject for `objects` (path → bytes), answering only requests signed (SigV4) with {@link CREDENTIALS}
 * and the instance role's session token, as S3 checks them: a wrong signature gets 403, an unknown key 404.
 */
export async function fakeS3(
    region: string,
    objects: Record<string, Buffer | string>,
): Promise<LoopbackHttp & { gets: string[] }> {
    const gets: string[] = [];
    const server = await serve((req, _body, res) => {
        const refused = sigV4Problem(req, region, "s3");
        if (refused) return void res.writeHead(403, { "content-type": "text/plain" }).end(refused);
        const object = req.method === "GET" ? objects[req.url ?? ""] : undefined;
        if (object === undefined) return void res.writeHead(404).end("NoSuchKey");
        gets.push(req.url ?? "");
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(object);
    });
    return { ...server, gets };
}

const hmac = (key: Buffer | string, data: string) => crypto.createHmac("sha256", key).update(data).digest();
const sha256 = (data: string) => crypto.createHash("sha256").update(data).digest("hex");

/** Why a request's AWS Signature Version 4 does not hold (credentials, token, signature), or undefined. */
function sigV4Problem(req: http.IncomingMessage, region: string, service: string): string | undefined {
    const auth =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(
            req.headers.authorization ?? "",
        );
    if (!auth) return "no SigV4 Authorization header";
    const [, accessKey, date, scopeRegion, scopeService, signedHeaders, signature] = auth;
    if (accessKey !== CREDENTIALS.accessKeyId) return `unknown access key ${accessKey}`;
    if (scopeRegion !== region || scopeService !== service) return `scope ${scopeRegion}/${scopeService}`;
    if (req.headers["x-amz-security-token"] !== SESSION_TOKEN) return "no session token";
    const payloadHash = req.headers["x-amz-content-sha256"];
    if (typeof payloadHash !== "string") return "no x-amz-content-sha256";
    const names = signedHeaders.split(";");
    if (!names.includes("x-amz-security-token") || !names.includes("x-amz-content-sha256")) return "unsigned headers";
    const [pathname, query = ""] = (req.url ?? "").split("?");
    const canonical = [
        req.method,
        pathname,
        query,
        ...names.map((name) => `${name}:${String(req.headers[name] ?? "").trim()}`),
        "",
        signedHeaders,
        payloadHash,
    ].join("\n");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", req.headers["x-amz-date"], scope, sha256(canonical)].join("\n");
    const key = ["aws4_request"].reduce(
        (k, part) => hmac(k, part),
        hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, date), region), service),
    );
    return hmac(key, toSign).toString("hex") === signature ? undefined : "signature does not match";
}

export interface LoopbackDns {
    /** `ip:port` for Resolver.setServers / the agent config's dns.servers. */
    server: string;
    /** Every A query received, by name, in order. */
    aQueries: string[];
    records: Map<string, { address: string; ttl: number }>;
    close(): Promise<void>;
}

const NXDOMAIN = 3; // dns2 has Packet.RCODE at run time, but its typings lack it

/** A DNS server on loopback UDP answering A queries from `records`, AAAA with no data, anything else NXDOMAIN. */
export async function loopbackDns(records: Record<string, { address: string; ttl: number }>): Promise<LoopbackDns> {
    const { Packet } = dns2;
    const table = new Map(Object.entries(records));
    const aQueries: string[] = [];
    const server = dns2.createUDPServer((request, send) => {
        const response = Packet.createResponseFromRequest(request);
        const [question] = request.questions;
        const record = table.get(question.name);
        if (!record) {
            response.header.rcode = NXDOMAIN;
        } else if (question.type === Packet.TYPE.A) {
            aQueries.push(question.name);
            response.answers.push(
                Packet.createResourceFromQuestion(question, { ttl: record.ttl, address: record.address }),
            );
        }
        void send(response);
    });
    await server.listen(0, "127.0.0.1");
    const { port } = server.address();
    return {
        server: `127.0.0.1:${port}`,
        aQueries,
        records: table,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

/** A UDP socket that swallows DNS queries: a resolver that never answers. */
export async function silentDns(): Promise<{ server: string; close(): Promise<void> }> {
    const server = dns2.createUDPServer(() => undefined);
    await server.listen(0, "127.0.0.1");
    return {
        server: `127.0.0.1:${server.address().port}`,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

/** A TCP port that accepts and then says nothing (a black-holed dependency), and a port nobody listens on. */
export async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        close: () =>
            new Promise((resolve) => {
                for (const socket of sockets) socket.destroy();
                server.close(() => resolve());
            }),
    };
}
