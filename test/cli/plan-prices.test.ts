// `warmstack plan --prices aws` end to end (bin/warmstack spawned) against a loopback GetProducts (moto has no
// Pricing service: test/support/price-list-server.ts): the same questions the deploy asks, its answers as the
// plan's prices, the cache file named, reused while young and asked again when old, a type the Price List lacks
// falling back to the table with a line saying so, a stalled endpoint timing out, and the default staying offline.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { EXIT } from "../../warmers/cli/outcome";
import {
    BUILT_EVENT,
    committedPriceList,
    productionWorld,
    REPO,
    runProgram,
    stackConfig,
    stackFilePath,
} from "../support/pulumi";
import { startPriceListServer, type PriceListServer } from "../support/price-list-server";
import { apartFromInstanceFacts, runCli } from "./run";

const AT = "2026-12-01T12:00:00Z";

describe("warmstack plan --prices aws", function () {
    this.timeout(120_000);
    let dir: string;
    let server: PriceListServer;
    let env: Record<string, string>;
    const cacheFile = () => path.join(dir, "cache", "warmstack", "prices.json");
    const plan = (...args: string[]) =>
        runCli(["plan", "--config", stackFilePath(BUILT_EVENT), "--at", AT, ...args], { cwd: REPO, env });

    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-prices-"));
        server = await startPriceListServer(committedPriceList());
        env = {
            AWS_ENDPOINT_URL_PRICING: server.url,
            AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
            AWS_SECRET_ACCESS_KEY: "secret",
            AWS_REGION: "eu-west-1",
            XDG_CACHE_HOME: path.join(dir, "cache"),
        };
    });
    afterEach(async () => {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("--json is the program's `plan` output under mocks that answer the same products", async () => {
        const run = await plan("--prices", "aws", "--json");
        assert.equal(run.code, 0, run.stderr);
        const program = await runProgram(
            stackConfig(BUILT_EVENT),
            () => warmstackFromPulumiConfig(Date.parse(AT)),
            BUILT_EVENT,
            { ...productionWorld(), priceList: server.products },
        );
        const planned = JSON.parse(run.stdout);
        // The instance type's facts are AWS's at preview and the table's offline (test/cli/plan.test.ts): the rest is one.
        const offline = apartFromInstanceFacts(planned);
        const atPreview = apartFromInstanceFacts(program.outputs.plan);
        assert.deepEqual(offline.rest, atPreview.rest);
        assert.equal(offline.rootVolume.gb, atPreview.rootVolume.gb);
        assert.equal(offline.memory.value, atPreview.memory.value);
        assert.equal(planned.cost.prices.instanceHourly.source, "AWS Price List API (us-east-1 on-demand)");
        // The stack file's aws:region, not AWS_REGION, is the region priced.
        assert.deepEqual(
            server.requests.map((r) => [r.ServiceCode, r.Filters.find((f) => f.Field === "regionCode")?.Value]).sort(),
            [
                ["AmazonEC2", "us-east-1"],
                ["AmazonElastiCache", "us-east-1"],
                ["AmazonRDS", "us-east-1"],
            ],
        );
        assert.ok(server.requests.every((r) => r.Filters.every((f) => f.Type === "TERM_MATCH")));
        assert.match(run.stderr, new RegExp(`^price cache: ${cacheFile().replace(/[.]/g, "\\.")}$`, "m"));
    });

    it("names the cache, reuses it while young, and asks again once it is older than a day", async () => {
        const first = await plan("--prices", "aws");
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, /^prices: the AWS Price List for us-east-1 \(3 asked, 0 reused from the cache/m);
        assert.match(first.stdout, new RegExp(`^price cache: ${cacheFile().replace(/[.]/g, "\\.")}$`, "m"));
        assert.equal(server.requests.length, 3);

        const second = await plan("--prices", "aws");
        assert.match(second.stdout, /\(0 asked, 3 reused from the cache/);
        assert.equal(server.requests.length, 3, "nothing asked again");

        // Aged past the limit (as if asked 25 h before --at): asked again.
        const cache = JSON.parse(fs.readFileSync(cacheFile(), "utf8"));
        for (const entry of Object.values<{ at: string }>(cache))
            entry.at = new Date(Date.parse(AT) - 25 * 3_600_000).toISOString();
        fs.writeFileSync(cacheFile(), JSON.stringify(cache));
        const third = await plan("--prices", "aws");
        assert.match(third.stdout, /\(3 asked, 0 reused from the cache/);
        assert.equal(server.requests.length, 6);
    });

    it("a type the Price List does not have falls back to the table, saying so for that type; exit 0", async () => {
        server.products = server.products.filter((p) => !p.includes('"cache.r7g.xlarge"'));
        const run = await plan("--prices", "aws");
        assert.equal(run.code, 0, run.stderr);
        assert.match(
            run.stdout,
            /^warning: the AWS Price List gave no price for cache\.nodeType "cache\.r7g\.xlarge" nodes \(their hourly price, USD\) \(no product matches in us-east-1\): priced from model\/prices\.ts \(us-east-1 on-demand, \d{4}-\d\d-\d\d\)/m,
        );
        assert.equal(run.stdout.match(/gave no price/g)?.length, 1);
        assert.match(run.stdout, /^prices: .*instanceHourly 0\.1785/m);
    });

    it("a stalled endpoint times out per request and the table prices the plan", async () => {
        server.delayMs = 30_000;
        const started = Date.now();
        const run = await plan("--prices", "aws", "--json");
        assert.equal(run.code, 0, run.stderr);
        assert.ok(Date.now() - started < 18_000, "each request gave up at its own deadline, retry included");
        const planned = JSON.parse(run.stdout);
        assert.equal(planned.cost.fellBack.length, 3);
        assert.match(planned.cost.fellBack[0].priceList, /timed out after 10000 ms/);
    });

    it("the default, --prices table, asks nothing", async () => {
        const run = await plan();
        assert.equal(run.code, 0, run.stderr);
        assert.equal(server.requests.length, 0);
        assert.equal(fs.existsSync(cacheFile()), false);
        assert.doesNotMatch(run.stdout, /price cache/);
    });

    it("--prices with another value: one line naming --prices and what it takes, exit 2", async () => {
        const run = await plan("--prices", "live");
        assert.equal(run.code, EXIT.input);
        assert.equal(
            run.stderr,
            'warmstack: --prices: table (the bundled, dated table: offline) or aws (the AWS Price List, with your AWS credentials); given "live"\n',
        );
        assert.equal(server.requests.length, 0);
    });
});
