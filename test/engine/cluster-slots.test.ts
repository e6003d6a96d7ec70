// The cluster path's pure parts: the hash slot of a key (held to Redis's own CLUSTER KEYSLOT), the slot map read
// from CLUSTER SLOTS, and the MOVED/ASK replies that correct it.
import assert from "node:assert/strict";
import fc from "fast-check";
import { crc16 } from "../../warmers/engine/cluster/crc16";
import { keySlot, SLOTS } from "../../warmers/engine/cluster/key-slot";
import { addressName, parseRedirect, SlotMap, type NodeAddress } from "../../warmers/engine/cluster/slot-map";
import { redisClient, startRedis, type RedisServer } from "../support/servers";

describe("cluster: hash slots", () => {
    let node: RedisServer;
    before(async () => {
        node = await startRedis({ args: ["--cluster-enabled", "yes"] }); // CLUSTER KEYSLOT needs no joined cluster
    });
    after(() => node.stop());

    it("CRC16 is XMODEM (check value of 123456789: 0x31C3)", () => {
        assert.equal(crc16(Buffer.from("123456789")), 0x31c3);
        assert.equal(keySlot("123456789"), 0x31c3 & (SLOTS - 1));
    });

    it("agrees with CLUSTER KEYSLOT for text, binary and hash-tagged keys", async function () {
        this.timeout(60_000);
        const client = redisClient(node.url);
        // Braces, their neighbours and multi-byte characters are where a slot function goes wrong.
        const text = fc.string({
            unit: fc.constantFrom("{", "}", "a", "b", ":", "é", "日", "😀", "\u0000"),
            maxLength: 12,
        });
        const binary = fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes));
        try {
            await fc.assert(
                fc.asyncProperty(
                    fc.array(fc.oneof(text, fc.string(), binary), { minLength: 1, maxLength: 50 }),
                    async (keys) => {
                        const pipeline = client.pipeline();
                        for (const key of keys) pipeline.cluster("KEYSLOT", key);
                        const slots = ((await pipeline.exec()) ?? []).map(([err, slot]) => {
                            assert.ifError(err);
                            return slot;
                        });
                        assert.deepEqual(keys.map(keySlot), slots);
                    },
                ),
                { numRuns: 200 },
            );
            for (const [a, b] of [
                ["{user:1}:cart", "{user:1}:profile"],
                ["{}a", "{}a"],
            ])
                assert.equal(keySlot(a), keySlot(b));
            assert.notEqual(keySlot("{}{user:1}"), keySlot("{user:1}")); // an empty tag hashes the whole key
        } finally {
            client.disconnect();
        }
    });
});

describe("cluster: slot map", () => {
    const node = fc
        .record({
            host: fc.constantFrom("10.0.0.1", "10.0.0.2", "node-3.example", "::1"),
            port: fc.integer({ min: 1, max: 65535 }),
        })
        .map(({ host, port }) => ({ host, port }));
    /** A partition of the slots into ranges, each given to one of the nodes. */
    const ranges = fc
        .tuple(
            fc.uniqueArray(fc.integer({ min: 1, max: SLOTS - 1 }), { maxLength: 20 }),
            fc.array(node, { minLength: 1, maxLength: 5 }),
        )
        .map(([cuts, nodes]) => {
            const bounds = [0, ...cuts.sort((a, b) => a - b), SLOTS];
            return bounds.slice(1).map((end, i) => ({ start: bounds[i], end: end - 1, node: nodes[i % nodes.length] }));
        });
    const asked: NodeAddress = { host: "192.0.2.9", port: 7000 };

    it("gives each slot the primary CLUSTER SLOTS names for its range, replicas ignored", () => {
        fc.assert(
            fc.property(ranges, fc.integer({ min: 0, max: SLOTS - 1 }), (parts, slot) => {
                const reply = parts.map(({ start, end, node }) => [
                    start,
                    end,
                    [node.host, node.port, "id"],
                    ["10.9.9.9", 1, "replica"],
                ]);
                const map = SlotMap.fromClusterSlots(reply, asked);
                const owner = parts.find((part) => part.start <= slot && slot <= part.end)?.node;
                assert.deepEqual(map.owner(slot), owner);
                assert.deepEqual(
                    new Set(map.primaries().map((p) => `${p.host}:${p.port}`)),
                    new Set(parts.map((p) => `${p.node.host}:${p.node.port}`)),
                );
            }),
        );
    });

    it("takes an unknown endpoint (empty, ? or null) to be the node asked, and leaves unlisted slots unserved", () => {
        for (const host of ["", "?", null]) {
            const map = SlotMap.fromClusterSlots([[0, 99, [host, 7001, "id"]]], asked);
            assert.deepEqual(map.owner(50), { host: asked.host, port: 7001 });
            assert.equal(map.owner(100), undefined);
        }
    });

    it("refuses a reply that is not CLUSTER SLOTS, naming what it got", () => {
        assert.throws(() => SlotMap.fromClusterSlots("OK", asked), /CLUSTER SLOTS answered "OK"/);
        assert.throws(() => SlotMap.fromClusterSlots([[0, SLOTS, ["h", 1]]], asked), /not \[start, end, \[host, port/);
    });

    it("counts each node once, by host and port, and a primary only while it serves a slot", () => {
        const [a, b, c] = [
            { host: "10.0.0.1", port: 7000 },
            { host: "10.0.0.2", port: 7000 },
            { host: "10.0.0.1", port: 7001 },
        ];
        const slot = (range: [number, number], node: NodeAddress) => [...range, [node.host, node.port, "id"]];
        // a serves two ranges; b shares its port, c its host; slots 300-399 and 600 onwards are unlisted.
        const map = SlotMap.fromClusterSlots(
            [slot([0, 99], a), slot([100, 199], b), slot([200, 299], a), slot([400, 599], c)],
            asked,
        );
        assert.equal(map.nodeCount, 3);
        assert.deepEqual([map.owner(150), map.owner(250), map.owner(450)], [b, a, c]);
        assert.deepEqual([map.owner(350), map.owner(600), map.owner(SLOTS - 1)], [undefined, undefined, undefined]);
        assert.deepEqual(map.primaries(), [a, b, c]);
        map.moved(5, b);
        assert.equal(map.nodeCount, 3, "a MOVED to a known node adds none");
        for (let s = 400; s < 600; s++) map.moved(s, { ...a });
        assert.deepEqual(map.primaries(), [a, b], "c serves nothing now");
        assert.equal(map.nodeCount, 3, "nodeCount bounds the primaries, it does not forget one");
        map.moved(350, { host: "10.0.0.3", port: 7000 });
        assert.equal(map.nodeCount, 4);
    });

    it("refuses a range whose bounds are not slots, or whose port is not one", () => {
        const bad: unknown[] = [
            [99, 0, ["h", 7000]], // end before start
            [-1, 5, ["h", 7000]],
            [1.5, 5, ["h", 7000]],
            [0, SLOTS, ["h", 7000]],
            [0, 5, ["h", 0]],
            [0, 5, ["h", 65536]],
            [0, 5, ["h", 7000.5]],
            [0, 5, ["h", -7000]],
            [0, 5, "h:7000"],
        ];
        for (const range of bad)
            assert.throws(
                () => SlotMap.fromClusterSlots([range], asked),
                /not \[start, end, \[host, port/,
                JSON.stringify(range),
            );
        const edges = SlotMap.fromClusterSlots(
            [
                [0, 0, ["h", 1]],
                [SLOTS - 1, SLOTS - 1, ["h", 65535]],
            ],
            asked,
        );
        assert.deepEqual(
            [edges.owner(0), edges.owner(SLOTS - 1)],
            [
                { host: "h", port: 1 },
                { host: "h", port: 65535 },
            ],
        );
    });

    it("parses only a whole MOVED or ASK reply, and unwraps only a wholly bracketed host", () => {
        for (const other of ["MOVED 7 h:7005 extra", "-ERR MOVED 7 h:7005", "MOVED 7 h:0", "MOVED 7 h:65536"])
            assert.equal(parseRedirect(other, asked), undefined, other);
        assert.deepEqual(parseRedirect("ASK 7 h:65535", asked)?.address, { host: "h", port: 65535 });
        assert.equal(parseRedirect("MOVED 7 [::1]x:7000", asked)?.address.host, "[::1]x");
        assert.equal(parseRedirect("MOVED 7 x[::1]:7000", asked)?.address.host, "x[::1]");
    });

    it("names a node host:port, an IPv6 host in brackets", () => {
        assert.equal(addressName({ host: "10.0.0.1", port: 7000 }), "10.0.0.1:7000");
        assert.equal(addressName({ host: "::1", port: 7000 }), "[::1]:7000");
    });

    it("MOVED moves one slot, ASK moves none; both parse from any address", () => {
        fc.assert(
            fc.property(ranges, fc.integer({ min: 0, max: SLOTS - 1 }), node, (parts, slot, to) => {
                const map = SlotMap.fromClusterSlots(
                    parts.map(({ start, end, node }) => [start, end, [node.host, node.port]]),
                    asked,
                );
                const before = Array.from({ length: SLOTS }, (_, s) => map.owner(s));
                const host = to.host.includes(":") ? `[${to.host}]` : to.host;
                assert.deepEqual(parseRedirect(`ASK ${slot} ${host}:${to.port}`, asked), {
                    kind: "ASK",
                    slot,
                    address: to,
                });
                const moved = parseRedirect(`MOVED ${slot} ${host}:${to.port}`, asked);
                assert.deepEqual(moved, { kind: "MOVED", slot, address: to });
                map.moved(slot, to);
                for (let s = 0; s < SLOTS; s++) assert.deepEqual(map.owner(s), s === slot ? to : before[s]);
            }),
            { numRuns: 30 },
        );
        assert.deepEqual(parseRedirect("MOVED 7 :7005", asked), {
            kind: "MOVED",
            slot: 7,
            address: { host: asked.host, port: 7005 },
        });
        for (const other of ["ERR wrong", "MOVED 16384 h:1", "ASK x h:1", "CLUSTERDOWN Hash slot not served"])
            assert.equal(parseRedirect(other, asked), undefined);
    });
});
