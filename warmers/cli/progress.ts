// The progress bar for people at a terminal (stderr, so --json and pipes stay clean). With a known total
// (a redis source, after ranking) it is a bar; otherwise running counts.
import { SingleBar } from "cli-progress";
import type { WarmProgress } from "../engine/report";

const WITH_TOTAL =
    "warm [{bar}] {percentage}% | {value}/{total} rows | {written} written | {skipped} skipped | ETA {eta_formatted}";
const COUNTS = "warm {value} rows read | {written} written | {skipped} skipped | {duration_formatted}";

export class ProgressBar {
    private bar: SingleBar | undefined;

    constructor(private readonly stream: NodeJS.WriteStream) {}

    update(progress: WarmProgress): void {
        // Every kind of skip counts (present, duplicate, null, too large): the bar adds them all.
        const skipped = Object.values(progress.skipped).reduce((sum, n) => sum + n, 0);
        const payload = { written: progress.keysWritten, skipped };
        if (this.bar) {
            this.bar.update(progress.rowsRead, payload);
            return;
        }
        const format = progress.total === undefined ? COUNTS : WITH_TOTAL;
        this.bar = new SingleBar({ stream: this.stream, format, hideCursor: true });
        this.bar.start(progress.total ?? 0, progress.rowsRead, payload);
    }

    stop(): void {
        this.bar?.stop();
    }
}
