// One reopening RESP connection per node (../reopening-pipe.ts), opened on first use.
import type { RedisServerSpec } from "../resolved";
import { ReopeningPipe } from "../reopening-pipe";
import { RespPipe } from "../resp-pipe";
import { addressName, type NodeAddress } from "./slot-map";

export class PipePool {
    private readonly pipes = new Map<string, ReopeningPipe>();

    constructor(
        /** TLS, AUTH and timeouts for every node; host and port come from the slot map. */
        private readonly target: RedisServerSpec,
        private readonly timeouts: { connectTimeoutMs: number; commandTimeoutMs: number },
    ) {}

    get(node: NodeAddress): Promise<RespPipe> {
        const name = addressName(node);
        let pipe = this.pipes.get(name);
        if (!pipe) {
            pipe = new ReopeningPipe(() => RespPipe.connect({ ...this.target, ...node, db: 0 }, this.timeouts));
            this.pipes.set(name, pipe);
        }
        return pipe.get();
    }

    close(): void {
        for (const pipe of this.pipes.values()) pipe.close();
        this.pipes.clear();
    }
}
