// `warmstack plan` end to end (bin/warmstack spawned) and its pure parts: the committed stacks plan, a bad stack
// file gets the program's one error naming every bad key, --json IS the program's `plan` output for the same
// stack and clock, and an unknown stack names the stack files there.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { PRICES_AS_OF } from "../../model/prices";
import { eventInstants, timelineOf } from "../../model/timeline";
import { capacitySteps, chartWindows } from "../../warmers/cli/plan-chart";
import { atOffset, fromStart, offsetOf } from "../../warmers/cli/plan-report";
import { stackConfigValues } from "../../warmers/cli/stack-file";
import { EXIT } from "../../warmers/cli/outcome";
import { baseline } from "../support/baseline";
import {
    BUILT_EVENT,
    committedPriceList,
    committedStacks,
    REPO,
    runProgram,
    stackConfig,
    stackFilePath,
} from "../support/pulumi";
import { startPriceListServer } from "../support/price-list-server";
import { apartFromInstanceFacts, runCli } from "./run";

/** A deploy well before every committed event. */
const AT = "2026-12-01T12:00:00Z";

describe("warmstack plan", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-plan-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("finds the three committed stacks", () => {
        assert.deepEqual(committedStacks(), ["baseline", "blackfriday", "launch"]);
    });

    for (const stack of committedStacks()) {
        it(`plans ${stack}: the timeline, capacity, data tier and cost tables`, async () => {
            const run = await runCli(["plan", "--stack", stack, "--at", AT], { cwd: REPO });
            assert.equal(run.code, 0, run.stderr);
            assert.equal(run.stderr, "");
            for (const table of ["Timeline", "Capacity", "Data tier", "Cost (USD", "assumptions:"])
                assert.match(run.stdout, new RegExp(`^${table.replace("(", "\\(")}`, "m"));
        });

        if (stackConfig(stack)["warmstack:production"] === undefined) {
            it(`--json for ${stack} is the program's \`plan\` stack output under mocks, at the same clock and prices`, async () => {
                // Both ask the Price List: the program through the mocks' getProduct, the CLI a loopback GetProducts
                // answering the same products (moto has no Pricing service).
                const priceList = await startPriceListServer(committedPriceList());
                const cache = fs.mkdtempSync(path.join(dir, "cache-"));
                try {
                    const run = await runCli(["plan", "--stack", stack, "--json", "--at", AT, "--prices", "aws"], {
                        cwd: REPO,
                        env: {
                            AWS_ENDPOINT_URL_PRICING: priceList.url,
                            AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
                            AWS_SECRET_ACCESS_KEY: "secret",
                            XDG_CACHE_HOME: cache,
                        },
                    });
                    assert.equal(run.code, 0, run.stderr);
                    const program = await runProgram(
                        stackConfig(stack),
                        () => warmstackFromPulumiConfig(Date.parse(AT)),
                        stack,
                    );
                    const offline = apartFromInstanceFacts(JSON.parse(run.stdout));
                    const atPreview = apartFromInstanceFacts(program.outputs.plan);
                    assert.deepEqual(offline.rest, atPreview.rest);
                    // Only the facts differ: offline the table's memory; the program asks AWS (the mocks), and the image too.
                    assert.equal(offline.rootVolume.memorySource, "table");
                    assert.deepEqual(atPreview.rootVolume, { ...offline.rootVolume, memorySource: "aws", imageGiB: 8 });
                    assert.deepEqual(offline.memory, {
                        value: offline.rootVolume.memoryGiB,
                        source: `model/prices.ts (us-east-1 on-demand, ${PRICES_AS_OF})`,
                    });
                    assert.deepEqual(atPreview.memory, {
                        value: atPreview.rootVolume.memoryGiB,
                        source: "AWS (aws.ec2.getInstanceType)",
                    });
                } finally {
                    await priceList.close();
                }
            });
            continue;
        }
        it(`${stack}, attached to baseline: says it is planned from the stack file alone; its event's figures are the attached program's`, async () => {
            const [text, run] = await Promise.all([
                runCli(["plan", "--stack", stack, "--at", AT], { cwd: REPO }),
                runCli(["plan", "--stack", stack, "--json", "--at", AT], { cwd: REPO }),
            ]);
            assert.equal(run.code, 0, run.stderr);
            const note =
                /attached to production \(warmstack:production: organization\/warmstack\/baseline\): this plan is made from the stack file alone\. .*read at deploy .*the ramp-down gives back production's own sizes, not the ones shown\. The deployed plan is the stack's `plan` output/;
            assert.match(text.stdout, note);
            const cli = JSON.parse(run.stdout);
            assert.ok(
                cli.warnings.some((w: string) => note.test(w)),
                cli.warnings.join("\n"),
            );
            const { world } = await baseline();
            const program = await runProgram(
                stackConfig(stack),
                () => warmstackFromPulumiConfig(Date.parse(AT)),
                stack,
                world,
            );
            const facts = (p: any) => [
                p.event,
                p.timeline,
                p.instances,
                p.warmPool,
                p.database.replicas,
                p.dataPrewarm,
            ];
            assert.deepEqual(facts(cli), facts(program.outputs.plan));
        });
    }

    it("prints each instant in UTC and in the event's own offset", async () => {
        const file = path.join(dir, "Pulumi.eastern.yaml");
        const text = fs.readFileSync(stackFilePath(BUILT_EVENT), "utf8");
        fs.writeFileSync(file, text.replace('"2027-11-26T05:00:00Z"', '"2027-11-26T00:00:00-05:00"'));
        const run = await runCli(["plan", "--config", file, "--at", AT]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^start +2027-11-26 05:00 +2027-11-26 00:00 -05:00 +0$/m);
        assert.match(run.stdout, /^ramp +2027-11-26 04:15 +2027-11-25 23:15 -05:00 +-45 min$/m);
    });

    it("a hot set past one run shows its partitions and fan-out, in the text and in --json", async () => {
        const file = path.join(dir, "Pulumi.big.yaml");
        const text = fs.readFileSync(stackFilePath(BUILT_EVENT), "utf8");
        fs.writeFileSync(file, text.replace("topKeys: 500000", "topKeys: 50000000\n      avgEntryBytes: 600"));
        const run = await runCli(["plan", "--config", file, "--at", AT]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(
            run.stdout,
            /cache warm about 2530 s at 20,000 keys\/s as one run, so 6 partitions of at most 8,333,334 keys \(about 447 s each\), 3 at once \(bounded by 3 shard\(s\) and 660 connection\(s\) left per replica at the warm\): 2 round\(s\), about 894 s$/m,
        );
        const json = await runCli(["plan", "--config", file, "--at", AT, "--json"]);
        const { dataPrewarm } = JSON.parse(json.stdout);
        assert.deepEqual([dataPrewarm.partitions, dataPrewarm.fanOut.maxConcurrency], [6, 3]);
    });

    it("a bad stack file fails with the program's one error naming every bad key, and exit 2", async () => {
        const file = path.join(dir, "Pulumi.bad.yaml");
        const text = fs
            .readFileSync(stackFilePath(BUILT_EVENT), "utf8")
            .replace("peakRps: 18000", 'peakRps: "lots"')
            .replace("amiId: ami-0a1b2c3d4e5f60718", "amiId: my-image")
            .replace("nodeType: cache.r7g.xlarge", "nodeTyp: cache.r7g.xlarge");
        fs.writeFileSync(file, text);
        const run = await runCli(["plan", "--config", file]);
        assert.equal(run.code, EXIT.input);
        assert.equal(run.stdout, "");
        assert.match(run.stderr, new RegExp(`^warmstack: ${file}: warmstack config is invalid \\(3 problems\\):\n`));
        for (const key of ["warmstack:traffic.peakRps", "warmstack:compute.amiId", "warmstack:cache.nodeTyp"])
            assert.match(run.stderr, new RegExp(`^  - ${key.replace(/\./g, "\\.")}: `, "m"));
    });

    it("a stack whose peak the plan cannot hold gets the program's plan error, naming the key", async () => {
        const file = path.join(dir, "Pulumi.tight.yaml");
        const text = fs.readFileSync(stackFilePath(BUILT_EVENT), "utf8");
        fs.writeFileSync(file, text.replace("maxConnections: 2000", "maxConnections: 100"));
        const run = await runCli(["plan", "--config", file, "--at", AT]);
        assert.equal(run.code, EXIT.input);
        assert.match(run.stderr, new RegExp(`^warmstack: ${file}: warmstack config cannot be planned \\(`));
        assert.match(run.stderr, /^ {2}- warmstack:database\.maxConnections: /m);
    });

    it("a stack on types the price table lacks plans, exits 0, and says which cost lines it cannot price", async () => {
        const file = path.join(dir, "Pulumi.unpriced.yaml");
        const text = fs
            .readFileSync(stackFilePath(BUILT_EVENT), "utf8")
            .replace(/instanceType: \S+/, "instanceType: m7i.large")
            .replace(/instanceClass: \S+/, "instanceClass: db.r7g.xlarge");
        assert.match(
            text,
            /instanceType: m7i\.large[\s\S]*instanceClass: db\.r7g\.xlarge|instanceClass: db\.r7g\.xlarge[\s\S]*instanceType: m7i\.large/,
        );
        fs.writeFileSync(file, text);
        const run = await runCli(["plan", "--config", file, "--at", AT]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, "");
        for (const table of ["Timeline", "Capacity", "Data tier", "Cost (USD"])
            assert.match(run.stdout, new RegExp(`^${table.replace("(", "\\(")}`, "m"));
        assert.match(
            run.stdout,
            /^warning: cannot price compute\.instanceType "m7i\.large" \(its hourly price, USD\) \(set warmstack:cost\.instanceHourly\): /m,
        );
        assert.match(
            run.stdout,
            /^cannot price database\.instanceClass "db\.r7g\.xlarge" replicas \(their hourly price, USD\) \(set warmstack:cost\.replicaHourly\)$/m,
        );
        // The Stopped pool needs only EBS: priced; the Running state needs the instance: unpriced.
        assert.match(run.stdout, /^ +Running +unpriced +unpriced +unpriced$/m);
        assert.match(run.stdout, /replicas cannot price \(set warmstack:cost\.replicaHourly\)/);
        assert.match(run.stdout, /^readiness: cannot price \(set warmstack:cost\.instanceHourly\) for /m);
    });

    it("says where the instance type's memory came from: the fallback table, cost.instanceMemoryGiB, or neither", async () => {
        const text = fs.readFileSync(stackFilePath(BUILT_EVENT), "utf8");
        assert.match(text, /instanceType: c7i\.xlarge/);
        const planOf = async (name: string, edit: (t: string) => string) => {
            const file = path.join(dir, `Pulumi.${name}.yaml`);
            fs.writeFileSync(file, edit(text));
            const run = await runCli(["plan", "--config", file, "--at", AT]);
            assert.equal(run.code, 0, run.stderr);
            return run.stdout;
        };
        assert.match(
            await planOf("table", (t) => t),
            /^instance memory +8 GiB +c7i\.xlarge: from the fallback table \(model\/prices\.ts, \d{4}-\d\d-\d\d\); the deploy reads it from AWS$/m,
        );
        const hibernated = (t: string) => t.replace("state: Stopped", "state: Hibernated");
        const given = await planOf("given", (t) =>
            hibernated(t).replace(/^config:\n/m, "config:\n  warmstack:cost:\n    instanceMemoryGiB: 5\n"),
        );
        assert.match(given, /^instance memory +5 GiB +c7i\.xlarge: from warmstack:cost\.instanceMemoryGiB$/m);
        // Hibernated: rootVolumeGb 30 + the 5 GiB of RAM.
        assert.match(
            given,
            /^root volume +35 GiB +compute\.rootVolumeGb 30, \+ the RAM a Hibernated pool writes there$/m,
        );
        assert.match(
            await planOf("unknown", (t) => hibernated(t).replace(/instanceType: \S+/, "instanceType: m7i.large")),
            /^instance memory +unknown +m7i\.large: unknown offline \(set warmstack:cost\.instanceMemoryGiB\); the deploy reads it from AWS$/m,
        );
    });

    it("an unknown stack names the stack files the project holds", async () => {
        const run = await runCli(["plan", "--stack", "blackfriday2"], { cwd: path.join(REPO, "infra") });
        assert.equal(run.code, EXIT.input);
        assert.equal(
            run.stderr,
            `warmstack: --stack: no stack "blackfriday2" in ${REPO}; its stack files: ` +
                "Pulumi.baseline.yaml, Pulumi.blackfriday.yaml, Pulumi.launch.yaml\n",
        );
    });

    for (const [args, reason] of [
        [[], "--stack: a stack name (reads Pulumi.<name>.yaml), or --config FILE; given nothing"],
        [
            ["--stack", "launch", "--at", "tomorrow"],
            '--at: an ISO 8601 date-time with a zone, e.g. 2027-11-20T10:00:00Z; given "tomorrow"',
        ],
        // Date.parse reads it as 2027-03-02; the config refuses the same date.
        [
            ["--stack", "launch", "--at", "2027-02-30T00:00:00Z"],
            '--at: an ISO 8601 date-time with a zone, e.g. 2027-11-20T10:00:00Z; given "2027-02-30T00:00:00Z"',
        ],
        [
            ["--stack", "launch", "--out", ""],
            '--out: a directory warmstack can create or write to; given "": an empty path; give --out . for the current folder',
        ],
        [
            ["--stack", "launch", "--config", "x.yaml"],
            "option '--stack <name>' cannot be used with option '--config <file>'",
        ],
    ] as const) {
        it(`plan ${args.join(" ")}: warmstack: ${reason}`, async () => {
            const run = await runCli(["plan", ...args], { cwd: REPO });
            assert.equal(run.code, EXIT.input);
            assert.equal(run.stderr, `warmstack: ${reason}\n`);
        });
    }

    it("--at takes a leap day, and refuses the same day in a year without one", async () => {
        const leap = await runCli(["plan", "--stack", "launch", "--at", "2028-02-29T00:00:00Z", "--json"], {
            cwd: REPO,
        });
        assert.equal(leap.code, 0, leap.stderr);
        const common = await runCli(["plan", "--stack", "launch", "--at", "2027-02-29T00:00:00Z"], { cwd: REPO });
        assert.equal(common.code, EXIT.input);
        assert.match(common.stderr, /^warmstack: --at: .*; given "2027-02-29T00:00:00Z"\n$/);
    });

    it("--out writes the capacity chart; a folder it cannot create fails before anything", async () => {
        const out = path.join(dir, "charts");
        const run = await runCli(["plan", "--stack", "blackfriday", "--at", AT, "--json", "--out", out], { cwd: REPO });
        assert.equal(run.code, 0, run.stderr);
        JSON.parse(run.stdout); // stdout stays one JSON object
        const svg = fs.readFileSync(path.join(out, "plan-chart.svg"), "utf8");
        assert.match(svg, /^<svg /);
        for (const label of ["in service", "warm pool", "peak 57", "baseline 4", "ramp", "scale-down"])
            assert.ok(svg.includes(`>${label}<`), label);

        // Under a file, and under /proc (where a recursive mkdir never returns): one error, nothing written.
        const file = path.join(dir, "a-file");
        fs.writeFileSync(file, "");
        for (const out of [path.join(file, "charts"), "/proc/warmstack/charts"]) {
            const bad = await runCli(["plan", "--stack", "blackfriday", "--out", out], { cwd: REPO });
            assert.equal(bad.code, EXIT.input);
            assert.equal(bad.stdout, "");
            assert.match(
                bad.stderr,
                new RegExp(`^warmstack: --out: a directory warmstack can create or write to; given "${out}": .+\n$`),
            );
        }
    });
});

describe("warmstack plan: the pure parts", () => {
    it("reads a stack file as the Pulumi CLI hands it over: objects as JSON, strings as they are", () => {
        const values = stackConfigValues(
            "config:\n  aws:region: us-east-1\n  warmstack:traffic:\n    peakRps: 10\n",
            "Pulumi.x.yaml",
        );
        assert.deepEqual(values, { "aws:region": "us-east-1", "warmstack:traffic": '{"peakRps":10}' });
        assert.throws(() => stackConfigValues("config: [1, 2]\n", "Pulumi.x.yaml"), /`config:` must map keys/);
    });

    it("an instant shown at the event's offset is the same instant", () => {
        const offsets = fc
            .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45))
            .map(([sign, h, m]) => `${sign}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
        const instants = fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2040-01-01") });
        fc.assert(
            fc.property(instants, offsets, (ms, offset) => {
                const minute = Math.floor(ms / 60_000) * 60_000;
                const shown = atOffset(new Date(minute).toISOString(), offset);
                const [date, time, zone] = shown.split(" ");
                assert.equal(Date.parse(`${date}T${time}:00${zone}`), minute);
                assert.equal(offsetOf(`${date}T${time}:00${zone}`), zone);
            }),
        );
        assert.equal(offsetOf("2027-11-26T05:00:00Z"), "+00:00");
    });

    it("says how far an instant is from the start", () => {
        assert.equal(fromStart(0), "0");
        assert.equal(fromStart(-105 * 60_000), "-1 h 45 min");
        assert.equal(fromStart((4 * 1440 + 60) * 60_000), "+4 d 1 h");
    });

    it("the chart's windows hold every instant of the timeline, and capacity is the peak exactly from ramp to scale-down", () => {
        const events = fc.record({
            start: fc.integer({ min: Date.parse("2027-01-01"), max: Date.parse("2028-01-01") }),
            hours: fc.integer({ min: 1, max: 24 * 10 }),
            rampLeadMinutes: fc.integer({ min: 5, max: 180 }),
            cooldownMinutes: fc.integer({ min: 0, max: 180 }),
            dataLead: fc.integer({ min: 5, max: 240 }),
        });
        fc.assert(
            fc.property(events, ({ start, hours, rampLeadMinutes, cooldownMinutes, dataLead }) => {
                const s = Math.floor(start / 60_000) * 60_000;
                const event = {
                    name: "e",
                    start: new Date(s).toISOString(),
                    end: new Date(s + hours * 3_600_000).toISOString(),
                    rampLeadMinutes,
                    cooldownMinutes,
                };
                const at = eventInstants(event, dataLead);
                const windows = chartWindows(at);
                for (const ms of Object.values(at))
                    assert.ok(
                        windows.some((w) => w.from <= ms && ms <= w.to),
                        new Date(ms).toISOString(),
                    );
                const plan = { instances: { baseline: 3, peak: 9 }, warmPool: { minSize: 4 } } as any;
                for (const window of windows) {
                    for (const step of capacitySteps(plan, at, window).filter((p) => p.series === "in service")) {
                        const t = Date.parse(step.time);
                        assert.equal(step.instances, t >= at.ramp && t < at.scaleDown ? 9 : 3);
                    }
                }
                assert.ok(timelineOf(at));
            }),
        );
    });
});
