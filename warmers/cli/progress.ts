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
        const { present, null: none, tooLarge } = progress.skipped;
        const payload = { written: progress.keysWritten, skipped: present + none + tooLarge };
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
