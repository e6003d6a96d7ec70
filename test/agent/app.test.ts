import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { warmUpApp } from "../../warmers/agent/app";
import { AppWarmUpError, RequestError } from "../../warmers/agent/errors";
import { TimeoutError } from "../../warmers/timeout";
import { closedPort } from "../support/servers";
import { silentHttp } from "./endpoints";

describe("agent app warm-up", () => {
    let app: http.Server;
    let base: string;
    const hits = new Map<string, number>();

    before(async () => {
        app = http.createServer((req, res) => {
            hits.set(req.url ?? "", (hits.get(req.url ?? "") ?? 0) + 1);
            res.writeHead(req.url === "/broken" ? 503 : 200).end("ok");
        });
        await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(app.address() as net.AddressInfo).port}`;
    });
    beforeEach(() => hits.clear());
    after(() => new Promise((resolve) => app.close(resolve)));

    it("sends each URL its count of requests", async () => {
        const sent = await warmUpApp(
            [
                { url: `${base}/products`, count: 3 },
                { url: `${base}/cart?x=1`, count: 2 },
            ],
            { requestTimeoutMs: 2000 },
        );
        assert.equal(sent, 5);
        assert.deepEqual(Object.fromEntries(hits), { "/products": 3, "/cart?x=1": 2 });
    });

    it("fails on a non-2xx answer, naming the URL and status, and sends nothing more", async () => {
        await assert.rejects(
            warmUpApp(
                [
                    { url: `${base}/broken`, count: 3 },
                    { url: `${base}/products`, count: 1 },
                ],
                { requestTimeoutMs: 2000 },
            ),
            (err: Error) => {
                assert.ok(err instanceof AppWarmUpError);
                assert.equal(err.message, `GET ${base}/broken answered 503 (request 1 of 3)`);
                return true;
            },
        );
        assert.deepEqual(Object.fromEntries(hits), { "/broken": 1 });
    });

    it("waits for an app that is still starting, and only for that", async () => {
        const port = await closedPort();
        const url = `http://127.0.0.1:${port}/`;
        await assert.rejects(
            warmUpApp([{ url, count: 1 }], { requestTimeoutMs: 1000 }),
            (err: Error) =>
                err instanceof RequestError &&
                err.socketCode === "ECONNREFUSED" &&
                err.message.startsWith(`GET ${url} failed: connect ECONNREFUSED`),
        );

        let late = 0;
        const starting = http.createServer((_req, res) => res.end(String(++late)));
        const listening = new Promise<void>((resolve) =>
            setTimeout(() => starting.listen(port, "127.0.0.1", resolve), 300),
        );
        try {
            assert.equal(
                await warmUpApp([{ url, count: 2 }], { requestTimeoutMs: 1000, startupWaitMs: 3000, retryMs: 50 }),
                2,
            );
            assert.equal(late, 2, "refused attempts are not counted, answered ones are");
        } finally {
            await listening;
            await new Promise((resolve) => starting.close(resolve));
        }
    });

    it("gives each request its own timeout", async () => {
        const silent = await silentHttp();
        const started = Date.now();
        try {
            await assert.rejects(
                warmUpApp([{ url: `${silent.url}/`, count: 2 }], { requestTimeoutMs: 200 }),
                (err: Error) => {
                    assert.ok(err instanceof TimeoutError);
                    assert.equal(err.message, `GET ${silent.url}/ timed out after 200 ms`);
                    return true;
                },
            );
            assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
        } finally {
            await silent.close();
        }
    });
});
