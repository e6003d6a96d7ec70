// A loopback peer speaking RESP, for the edges of the write path a real Redis rarely shows (split replies, odd
// or unsolicited replies, resets): it reads commands and lets each test answer with whatever bytes it chooses.
import net from "node:net";

export interface Received {
    args: string[];
    at: number;
}

export interface Peer {
    port: number;
    received: Received[];
    /** Resolves once the first connection the peer accepted has closed. */
    firstClosed: Promise<void>;
    close(): Promise<void>;
}

export type Answer = (args: string[], socket: net.Socket, index: number) => void;

/** Splits complete RESP arrays of bulk strings off the front of `data`. */
export function parseCommands(data: Buffer): { commands: string[][]; rest: Buffer } {
    const commands: string[][] = [];
    let pos = 0;
    const line = (from: number): [string, number] | undefined => {
        const end = data.indexOf("\r\n", from);
        return end < 0 ? undefined : [data.toString("latin1", from + 1, end), end + 2];
    };
    for (;;) {
        const head = line(pos);
        if (!head) break;
        let at = head[1];
        const args: string[] = [];
        for (let i = 0; i < Number(head[0]); i++) {
            const bulk = line(at);
            if (!bulk || bulk[1] + Number(bulk[0]) + 2 > data.length) return { commands, rest: data.subarray(pos) };
            args.push(data.toString("latin1", bulk[1], bulk[1] + Number(bulk[0])));
            at = bulk[1] + Number(bulk[0]) + 2;
        }
        commands.push(args);
        pos = at;
    }
    return { commands, rest: data.subarray(pos) };
}

/** A loopback server that reads commands and lets `answer` write whatever bytes a test chooses. */
export async function respPeer(answer: Answer, onConnect?: (socket: net.Socket) => void): Promise<Peer> {
    const sockets = new Set<net.Socket>();
    const received: Received[] = [];
    let markClosed: () => void = () => {};
    const firstClosed = new Promise<void>((resolve) => (markClosed = resolve));
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.setNoDelay(true);
        socket.setTimeout(10_000, () => socket.destroy());
        socket.on("error", () => {});
        socket.on("close", () => markClosed());
        let unread: Buffer = Buffer.alloc(0);
        socket.on("data", (chunk: Buffer) => {
            const { commands, rest } = parseCommands(Buffer.concat([unread, chunk]));
            unread = rest;
            for (const args of commands) {
                received.push({ args, at: Date.now() });
                answer(args, socket, received.length - 1);
            }
        });
        onConnect?.(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        received,
        firstClosed,
        close: async () => {
            for (const socket of sockets) socket.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
