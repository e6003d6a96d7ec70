// One bare RESP connection per node, opened on first use and reopened by the first batch that finds it lost;
// batches behind that one share the new connection instead of each opening their own.
import type { RedisServerSpec } from "../resolved";
import { RespPipe } from "../resp-pipe";
import { addressName, type NodeAddress } from "./slot-map";

export class PipePool {
    private readonly pipes = new Map<string, Promise<RespPipe>>();

    constructor(
        /** TLS, AUTH and timeouts for every node; host and port come from the slot map. */
        private readonly target: RedisServerSpec,
        private readonly timeouts: { connectTimeoutMs: number; commandTimeoutMs: number },
    ) {}

    async get(node: NodeAddress): Promise<RespPipe> {
        const name = addressName(node);
        const seen = this.pipes.get(name);
        const current = await seen?.catch(() => undefined);
        if (current && !current.broken) return current;
        if (this.pipes.get(name) === seen) {
            const opening = RespPipe.connect({ ...this.target, ...node, db: 0 }, this.timeouts);
            opening.catch(() => {}); // a failed connect is reported to the batch that awaits it
            this.pipes.set(name, opening);
        }
        return this.pipes.get(name) as Promise<RespPipe>;
    }

    close(): void {
        for (const pipe of this.pipes.values())
            pipe.then(
                (current) => current.close(),
                () => {},
            );
        this.pipes.clear();
    }
}
