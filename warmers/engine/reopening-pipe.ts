// One bare RESP connection, opened on first use and reopened by the first caller that finds it lost; callers
// behind that one share the new connection instead of each opening their own. The standalone writer holds one,
// the cluster's PipePool one per node.
import type { RespPipe } from "./resp-pipe";

export class ReopeningPipe {
    private pipe: Promise<RespPipe> | undefined;

    constructor(private readonly open: () => Promise<RespPipe>) {}

    async get(): Promise<RespPipe> {
        const seen = this.pipe;
        const current = await seen?.catch(() => undefined);
        if (current && !current.broken) return current;
        if (this.pipe === seen) {
            const opening = this.open();
            opening.catch(() => {}); // a failed connect is reported to the caller that awaits it
            this.pipe = opening;
        }
        return this.pipe as Promise<RespPipe>;
    }

    close(): void {
        this.pipe?.then(
            (current) => current.close(),
            () => {},
        );
        this.pipe = undefined;
    }
}
