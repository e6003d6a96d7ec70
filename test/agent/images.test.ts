// The agent's image pull (compute.platform ecs), run for real: a stand-in `docker` script on PATH that pulls,
// fails and hangs by the image's name and records what it is asked, moto's ECR for the login's token (on
// loopback, started and stopped here), and a loopback Auto Scaling. A good pull completes the hook with
// CONTINUE; a failed or hung one (the pull's own timeout fires) ABANDONs it naming the image and why; an ECR
// image's registry is logged in to first, the token on stdin and never in a log line.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentError, runAgent } from "../../warmers/agent/agent";
import { parseAgentConfig } from "../../model/agent-config";
import { startMoto, type Moto } from "../support/moto";
import { CREDENTIALS, fakeAutoScaling } from "./endpoints";

const INSTANCE = { instanceId: "i-0123456789abcdef0", region: "us-east-1" };
const ECR_WEB = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web:2027.11";
const PULL_MS = 1500;

/** The stand-in: `pull` succeeds, or fails for an image named *missing*, or hangs for one named *hang*. */
const STAND_IN = `#!/bin/bash
echo "$*" >> "$WARMSTACK_DOCKER_LOG"
case "$1" in
  login) cat > "$WARMSTACK_DOCKER_LOG.password"; echo "Login Succeeded" ;;
  pull)
    case "$3" in
      *missing*) echo "Error response from daemon: manifest for $3 not found: manifest unknown" >&2; exit 1 ;;
      *hang*) exec sleep 30 ;;
      *) echo "sha256:$(printf '%s' "$3" | sha256sum | cut -c1-12)" ;;
    esac ;;
  *) echo "unexpected docker $1" >&2; exit 2 ;;
esac
`;

describe("agent: the tasks' images, pulled before the hook completes", function () {
    this.timeout(60_000);
    let dir: string;
    let log: string;
    let moto: Moto;
    let autoScaling: Awaited<ReturnType<typeof fakeAutoScaling>>;
    let lines: string[];
    const savedPath = process.env.PATH;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "warmstack-docker-"));
        fs.writeFileSync(path.join(dir, "docker"), STAND_IN, { mode: 0o755 });
        log = path.join(dir, "calls.log");
        // The agent finds `docker` on PATH, as on an instance.
        process.env.PATH = `${dir}${path.delimiter}${savedPath}`;
        process.env.WARMSTACK_DOCKER_LOG = log;
        moto = await startMoto();
        autoScaling = await fakeAutoScaling();
    });
    after(async () => {
        process.env.PATH = savedPath;
        delete process.env.WARMSTACK_DOCKER_LOG;
        await autoScaling?.close();
        await moto?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => {
        lines = [];
        autoScaling.actions.length = 0;
        fs.rmSync(log, { force: true });
    });

    const run = (images: string[]) =>
        runAgent(
            parseAgentConfig(
                {
                    ...INSTANCE,
                    autoScalingGroupName: "warmstack-test-app",
                    lifecycleHookName: "warmstack-launch",
                    timeouts: { pullMs: PULL_MS, lifecycleMs: 2000 },
                    containers: { images },
                    endpoints: { autoScaling: autoScaling.url, ecr: moto.url },
                },
                "test",
            ),
            { log: (line) => lines.push(line), credentials: CREDENTIALS },
        );
    const calls = () => fs.readFileSync(log, "utf8").trim().split("\n");
    const result = () => autoScaling.actions.map((a) => a.get("LifecycleActionResult"));

    it("logs in to the ECR registry with the instance role's token, pulls every image, then CONTINUEs", async () => {
        const report = await run([ECR_WEB, "redis:7"]);
        assert.ok(report.steps.images >= 0);
        const [login, ...pulls] = calls();
        assert.equal(
            login,
            "login --username AWS --password-stdin https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
        );
        assert.deepEqual(pulls.sort(), [`pull --quiet ${ECR_WEB}`, "pull --quiet redis:7"]);
        const password = fs.readFileSync(`${log}.password`, "utf8");
        assert.ok(password.length > 0, "the token's password on stdin");
        assert.ok(!lines.some((l) => l.includes(password)), "the token is never logged");
        assert.ok(
            lines.some((l) => /^images: ok in \d+ ms \(2 pulled\)$/.test(l)),
            lines.join("\n"),
        );
        assert.deepEqual(result(), ["CONTINUE"]);
    });

    it("needs no login for images outside ECR", async () => {
        await run(["public.ecr.aws/nginx/nginx:1.27"]);
        assert.deepEqual(calls(), ["pull --quiet public.ecr.aws/nginx/nginx:1.27"]);
        assert.deepEqual(result(), ["CONTINUE"]);
    });

    it("ABANDONs naming the image and what Docker said when a pull fails", async () => {
        const err = await run(["redis:7", "shop/missing:1"]).then(
            () => assert.fail("warm with an image missing"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof AgentError && err.abandoned, String(err));
        assert.match(
            err.reason,
            /images: docker pull shop\/missing:1: docker exited 1: Error response from daemon: manifest for shop\/missing:1 not found/,
        );
        assert.deepEqual(result(), ["ABANDON"]);
    });

    it("ABANDONs naming the image when a pull hangs: its own timeout fires, long before the agent's deadline", async () => {
        const started = Date.now();
        const err = await run(["redis:7", "shop/hang:1"]).then(
            () => assert.fail("warm with a hung pull"),
            (e: unknown) => e,
        );
        const took = Date.now() - started;
        assert.ok(err instanceof AgentError && err.abandoned, String(err));
        assert.match(err.reason, new RegExp(`docker pull shop/hang:1 timed out after ${PULL_MS} ms`));
        assert.ok(took >= PULL_MS && took < PULL_MS + 5000, `took ${took} ms`);
        assert.deepEqual(result(), ["ABANDON"]);
    });

    it("ABANDONs saying so when there is no Docker to run", async () => {
        const config = parseAgentConfig(
            {
                ...INSTANCE,
                autoScalingGroupName: "warmstack-test-app",
                lifecycleHookName: "warmstack-launch",
                containers: { images: ["redis:7"], docker: path.join(dir, "no-docker") },
                endpoints: { autoScaling: autoScaling.url },
            },
            "test",
        );
        const err = await runAgent(config, { log: (l) => lines.push(l), credentials: CREDENTIALS }).then(
            () => assert.fail("warm without docker"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof AgentError && err.abandoned, String(err));
        assert.match(err.reason, /docker pull redis:7: cannot run .*no-docker: spawn .*ENOENT/);
    });
});
