// A uniform sample of a stream whose length is unknown until it ends (reservoir sampling, Algorithm R): each of
// the n items seen ends in the sample with probability k / n, whatever its position. Verify uses it so a warm is
// judged on its whole hot set, not on its first rows (written before memory ran out, say).

export class Reservoir<T> {
    readonly items: T[] = [];
    private seen = 0;

    constructor(
        private readonly size: number,
        private readonly random: () => number = Math.random,
    ) {}

    offer(item: T): void {
        this.seen++;
        if (this.items.length < this.size) this.items.push(item);
        else {
            const slot = Math.floor(this.random() * this.seen);
            if (slot < this.size) this.items[slot] = item;
        }
    }
}
