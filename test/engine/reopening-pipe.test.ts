// The one connection a writer holds (ReopeningPipe), against a real redis-server: kept while healthy, reopened
// once by the first caller that finds it lost (callers behind share that reopen), a failed open reported to its
// caller and tried again by the next.
import assert from "node:assert/strict";
import { ReopeningPipe } from "../../warmers/engine/reopening-pipe";
import { RespEncoder, RespPipe, type Reply } from "../../warmers/engine/resp-pipe";
import { testRedis } from "../support/servers";

const TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 5000 };

async function send(pipe: RespPipe, command: string[]): Promise<Reply[]> {
    const encoder = new RespEncoder(16);
    encoder.command(command);
    return pipe.send(encoder.finish(), encoder.count);
}

describe("ReopeningPipe (the writer's connection, reopened after a loss)", () => {
    let opened: number;
    let failNext: boolean;
    let reopening: ReopeningPipe;

    beforeEach(async () => {
        const server = await testRedis();
        opened = 0;
        failNext = false;
        reopening = new ReopeningPipe(() => {
            opened++;
            if (failNext) {
                failNext = false;
                return RespPipe.connect({ host: "127.0.0.1", port: 1, db: 0 }, TIMEOUTS); // nothing listens on 1
            }
            return RespPipe.connect({ host: server.host, port: server.port, db: 0 }, TIMEOUTS);
        });
    });
    afterEach(() => reopening.close());

    it("opens on first use and keeps the connection while it is healthy", async () => {
        assert.equal(opened, 0, "nothing opened before the first use");
        const first = await reopening.get();
        assert.equal(await reopening.get(), first);
        assert.deepEqual(await send(first, ["PING"]), [true]);
        assert.equal(opened, 1);
    });

    it("callers that find the connection lost share one new connection", async () => {
        const lost = await reopening.get();
        await send(lost, ["QUIT"]);
        await assert.rejects(send(lost, ["PING"]));
        assert.equal(lost.broken, true);
        const [a, b, c] = await Promise.all([reopening.get(), reopening.get(), reopening.get()]);
        assert.equal(opened, 2, "one reopen for the three callers");
        assert.notEqual(a, lost);
        assert.equal(a, b);
        assert.equal(b, c);
        assert.deepEqual(await send(a, ["PING"]), [true]);
    });

    it("a failed open rejects its caller, and the next caller opens again", async () => {
        failNext = true;
        await assert.rejects(reopening.get(), /ECONNREFUSED/);
        const pipe = await reopening.get();
        assert.deepEqual(await send(pipe, ["PING"]), [true]);
        assert.equal(opened, 2);
    });

    it("close() closes the connection; a use right after it opens a new one", async () => {
        const first = await reopening.get();
        reopening.close();
        const second = await reopening.get(); // before the socket has even reported its close
        assert.notEqual(second, first);
        await assert.rejects(send(first, ["PING"]));
        assert.deepEqual(await send(second, ["PING"]), [true]);
        assert.equal(opened, 2);
    });
});
