// The pack started exactly as the Pulumi CLI starts a Node.js policy pack — the `pulumi-analyzer-policy` shim
// resolves @pulumi/pulumi/cmd/run-policy-pack from the pack's directory and runs it there with
// `<engine address> .` — and spoken to over pulumirpc.Analyzer the way the CLI does for `pulumi preview`:
// Handshake, ConfigureStack, GetAnalyzerInfo, Configure with the reconciled config, Analyze per resource,
// AnalyzeStack at the end, every request carrying the resource's options.
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { TYPES } from "../../policies/contract";
import { stackConfig } from "../support/pulumi";
import {
    committedPackConfig,
    edited,
    EngineResource,
    one,
    PACK_DIR,
    PACK_VERSION,
    PackConfig,
    programResources,
    UNKNOWN,
    withoutPrewarm,
} from "./harness";

// The client must use the very grpc-js that @pulumi/pulumi's generated stubs were built with.
const grpc: typeof import("@grpc/grpc-js") = require(
    require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] }),
);

const STACK = "blackfriday";
/** The CLI passes its engine's address first; run-policy-pack drops it, the pack never dials the engine. */
const ENGINE_ADDRESS = "127.0.0.1:1";
const START_TIMEOUT_MS = 60_000;
const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;
const LEVEL_OF = {
    advisory: proto.EnforcementLevel.ADVISORY,
    mandatory: proto.EnforcementLevel.MANDATORY,
    disabled: proto.EnforcementLevel.DISABLED,
    remediate: proto.EnforcementLevel.REMEDIATE,
};

/** Starts the pack and resolves with the port it prints on its first stdout line. */
function startPack(): { child: ChildProcess; port: Promise<number> } {
    const script = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });
    const child = spawn(process.execPath, [script, ENGINE_ADDRESS, "."], {
        cwd: PACK_DIR,
        stdio: ["ignore", "pipe", "pipe"],
        // What the CLI adds for a Node.js pack: the stack's config and identity (constructEnv).
        env: {
            ...process.env,
            PULUMI_CONFIG: JSON.stringify(stackConfig(STACK)),
            PULUMI_NODEJS_PROJECT: "warmstack",
            PULUMI_NODEJS_STACK: STACK,
            PULUMI_NODEJS_DRY_RUN: "true",
            PULUMI_PROJECT: "warmstack",
            PULUMI_STACK: STACK,
            PULUMI_DRY_RUN: "true",
        },
    });
    const port = new Promise<number>((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        const fail = (why: string) => {
            clearTimeout(timer);
            reject(new Error(`${why}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
        };
        const timer = setTimeout(
            () => fail(`the pack printed no port within ${START_TIMEOUT_MS / 1000} s`),
            START_TIMEOUT_MS,
        );
        child.stderr!.on("data", (chunk) => {
            stderr += chunk;
        });
        child.stdout!.on("data", (chunk) => {
            stdout += chunk;
            const line = /^(\d+)\r?\n/.exec(stdout);
            if (line) {
                clearTimeout(timer);
                resolve(Number(line[1]));
            }
        });
        child.once("exit", (code) => fail(`the pack exited with ${code} before printing its port`));
    });
    return { child, port };
}

/** Property values as the engine marshals them: internal `__` keys left out, secrets in their signature object. */
function struct(props: Record<string, any>, secrets: string[]): Struct {
    const plain = Object.fromEntries(
        Object.entries(JSON.parse(JSON.stringify(props))).filter(([key]) => !key.startsWith("__")),
    );
    for (const key of secrets) {
        if (key in plain) plain[key] = { [specialSigKey]: specialSecretSig, value: plain[key] };
    }
    return Struct.fromJavaScript(plain as Record<string, any>);
}

function resourceOptions(r: EngineResource): proto.AnalyzerResourceOptions {
    return (
        new proto.AnalyzerResourceOptions()
            .setProtect(r.options.protect)
            .setIgnorechangesList(r.options.ignoreChanges)
            .setDeletebeforereplace(r.options.deleteBeforeReplace ?? false)
            .setDeletebeforereplacedefined(r.options.deleteBeforeReplace !== undefined)
            .setAdditionalsecretoutputsList(r.options.additionalSecretOutputs)
            // The program declares no aliases and no custom timeouts: the CLI sends none and zero seconds.
            .setAliasesList([])
            .setCustomtimeouts(new proto.AnalyzerResourceOptions.CustomTimeouts())
            .setParent(r.parent)
    );
}

/** Analyze and Remediate get a resource's inputs, before it is created or updated. */
const analyzeRequest = (r: EngineResource) =>
    new proto.AnalyzeRequest()
        .setUrn(r.urn)
        .setType(r.type)
        .setName(r.name)
        .setProperties(struct(r.inputs, r.secrets))
        .setOptions(resourceOptions(r));

/** AnalyzeStack gets every resource's outputs, its parent and its dependencies (properties without any left out). */
function stackRequest(resources: EngineResource[]): proto.AnalyzeStackRequest {
    return new proto.AnalyzeStackRequest().setResourcesList(
        resources.map((r) => {
            const resource = new proto.AnalyzerResource()
                .setUrn(r.urn)
                .setType(r.type)
                .setName(r.name)
                .setProperties(struct(r.outputs, r.secrets))
                .setOptions(resourceOptions(r))
                .setParent(r.parent)
                .setDependenciesList(r.dependencies);
            for (const [key, urns] of Object.entries(r.propertyDependencies)) {
                if (urns.length > 0)
                    resource
                        .getPropertydependenciesMap()
                        .set(key, new proto.AnalyzerPropertyDependencies().setUrnsList(urns));
            }
            return resource;
        }),
    );
}

/**
 * The CLI's ReconcilePolicyPackConfig: every policy gets its default level and its schema's defaults, then
 * the `--policy-pack-config` file on top.
 */
function reconciled(info: proto.AnalyzerInfo, file: PackConfig): proto.ConfigureAnalyzerRequest {
    const request = new proto.ConfigureAnalyzerRequest();
    for (const policy of info.getPoliciesList()) {
        const schema = (policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<
            string,
            { default?: unknown }
        >;
        const defaults = Object.fromEntries(
            Object.entries(schema)
                .filter(([, p]) => p.default !== undefined)
                .map(([k, p]) => [k, p.default]),
        );
        const entry = file[policy.getName()];
        const { enforcementLevel, ...properties } =
            typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
        request
            .getPolicyconfigMap()
            .set(
                policy.getName(),
                new proto.PolicyConfig()
                    .setEnforcementlevel(enforcementLevel ? LEVEL_OF[enforcementLevel] : policy.getEnforcementlevel())
                    .setProperties(Struct.fromJavaScript({ ...defaults, ...properties } as Record<string, any>)),
            );
    }
    return request;
}

const verdicts = (response: proto.AnalyzeResponse) =>
    response.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        level: LEVELS[d.getEnforcementlevel()],
        resource: d.getUrn().split("::").pop() || "stack",
        message: d.getMessage(),
        pack: `${d.getPolicypackname()}@${d.getPolicypackversion()}`,
    }));

describe("warm-readiness over the analyzer protocol, started as the CLI starts it", function () {
    this.timeout(START_TIMEOUT_MS + 30_000);
    let child: ChildProcess;
    let client: AnalyzerClient;
    let resources: EngineResource[];
    let info: proto.AnalyzerInfo;

    const unary = <Res>(method: keyof AnalyzerClient, request: unknown) =>
        new Promise<Res>((resolve, reject) =>
            (client[method] as any).call(client, request, (err: Error | null, response: Res) =>
                err ? reject(err) : resolve(response),
            ),
        );
    const analyzeAll = async (rs: EngineResource[]) =>
        (await Promise.all(rs.map((r) => unary<proto.AnalyzeResponse>("analyze", analyzeRequest(r))))).flatMap(
            verdicts,
        );

    before(async () => {
        const pack = startPack();
        child = pack.child;
        resources = await programResources(STACK);
        client = new AnalyzerClient(`127.0.0.1:${await pack.port}`, grpc.credentials.createInsecure());
    });

    after(async () => {
        client?.close();
        if (child && child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        }
    });

    it("refuses Handshake as unimplemented, which the CLI takes as the old protocol", async () => {
        const handshake = new proto.AnalyzerHandshakeRequest()
            .setEngineAddress(ENGINE_ADDRESS)
            .setRootDirectory(PACK_DIR)
            .setProgramDirectory(PACK_DIR);
        await assert.rejects(
            unary("handshake", handshake),
            (err: { code: number }) => err.code === grpc.status.UNIMPLEMENTED,
        );
    });

    it("takes the stack's identity and config, then describes the pack, its policies and their schemas", async () => {
        const stack = new proto.AnalyzerStackConfigureRequest()
            .setStack(STACK)
            .setProject("warmstack")
            .setOrganization("organization")
            .setDryRun(true);
        for (const [key, value] of Object.entries(stackConfig(STACK))) stack.getConfigMap().set(key, value);
        await unary("configureStack", stack);

        info = await unary<proto.AnalyzerInfo>("getAnalyzerInfo", new Empty());
        assert.equal(info.getName(), "warm-readiness");
        assert.equal(info.getVersion(), PACK_VERSION);
        assert.ok(info.getSupportsconfig());
        const policies = Object.fromEntries(
            info.getPoliciesList().map((p) => [p.getName(), LEVELS[p.getEnforcementlevel()]]),
        );
        assert.equal(Object.keys(policies).length, 13);
        assert.equal(policies["cache-prewarmed"], "mandatory");
        assert.equal(policies["warm-pool-state"], "advisory");
        const budget = info.getPoliciesList().find((p) => p.getName() === "connection-budget")!;
        assert.deepEqual(budget.getConfigschema()!.getProperties()!.toJavaScript().reserve, {
            type: "number",
            minimum: 0,
            exclusiveMaximum: 1,
            default: 0.1,
            description: "Share of every endpoint's max_connections kept free for admin, failover and the warmers.",
        });

        const plugin = await unary<{ getVersion(): string }>("getPluginInfo", new Empty());
        assert.match(plugin.getVersion(), /^\d+\.\d+\.\d+/);
        await unary("configure", reconciled(info, committedPackConfig(STACK)));
    });

    it("Analyze: every resource of the stack, inputs and secrets as sent, passes the resource policies", async () => {
        assert.deepEqual(await analyzeAll(resources), []);
    });

    it("AnalyzeStack: blocks a cold cache on cache-prewarmed and whole-chain-warm only, saying what is cold and how to fix it", async () => {
        const found = verdicts(
            await unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(withoutPrewarm(resources))),
        );
        assert.deepEqual(
            found.map((d) => `${d.policy} ${d.level} ${d.resource} ${d.pack}`),
            [
                `cache-prewarmed mandatory cache-redis warm-readiness@${PACK_VERSION}`,
                `whole-chain-warm mandatory stack warm-readiness@${PACK_VERSION}`,
            ],
        );
        assert.match(
            found[0].message,
            /^Every ElastiCache replication group is filled with the hot keys[^\n]+\ncache-redis is not the target of any CachePrewarm/,
        );
        assert.match(
            found[1].message,
            /The compute is warm \(app-group keeps 29 instance\(s\) warm\), but 1 link\(s\) behind it are cold:\n {2}- cache cache-redis/,
        );
    });

    it("AnalyzeStack: passes the committed stack, whose CachePrewarm's replicationGroupId depends on the group", async () => {
        assert.deepEqual(verdicts(await unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(resources))), []);
    });

    it("Analyze: blocks a group without a warm pool, records a cold-ok exemption's reason, defers an unknown pool", async () => {
        const cold = one(
            edited(resources, TYPES.group, (p) => delete p.warmPool),
            TYPES.group,
        );
        assert.deepEqual(
            (await analyzeAll([cold])).map((d) => `${d.policy} ${d.level}`),
            ["asg-warm-pool-required mandatory"],
        );

        const exempt = one(
            edited(resources, TYPES.group, (p) => {
                delete p.warmPool;
                p.tags.push({
                    key: "warmstack:cold-ok",
                    value: "internal tool, no event traffic",
                    propagateAtLaunch: false,
                });
            }),
            TYPES.group,
        );
        const response = await unary<proto.AnalyzeResponse>("analyze", analyzeRequest(exempt));
        assert.deepEqual(verdicts(response), []);
        assert.deepEqual(
            response.getNotApplicableList().map((n) => `${n.getPolicyName()}: ${n.getReason()}`),
            ["asg-warm-pool-required: exempt by warmstack:cold-ok: internal tool, no event traffic"],
        );

        const previewed = one(
            edited(resources, TYPES.group, (p) => {
                p.warmPool = UNKNOWN;
            }),
            TYPES.group,
        );
        const deferred = await analyzeAll([previewed]);
        assert.deepEqual(
            deferred.map((d) => `${d.policy} ${d.level}`),
            ["asg-warm-pool-required advisory", "warm-pool-state advisory"],
        );
        assert.match(
            deferred[0].message,
            new RegExp(
                `can't run policy 'asg-warm-pool-required' from policy pack 'warm-readiness@v${PACK_VERSION}' during preview: string value at \\.warmPool can't be known during preview`,
            ),
        );
    });

    it("Remediate: with asg-instance-warmup at remediate, sets the default warm-up on a group without one", async () => {
        await unary(
            "configure",
            reconciled(info, { ...committedPackConfig(STACK), "asg-instance-warmup": "remediate" }),
        );
        const group = one(
            edited(resources, TYPES.group, (p) => delete p.defaultInstanceWarmup),
            TYPES.group,
        );
        const response = await unary<proto.RemediateResponse>("remediate", analyzeRequest(group));
        const remediations = response.getRemediationsList();
        assert.deepEqual(
            remediations.map((r) => r.getPolicyname()),
            ["asg-instance-warmup"],
        );
        const props = remediations[0].getProperties()!.toJavaScript() as Record<string, any>;
        assert.equal(props.defaultInstanceWarmup, 60);
        assert.equal(props.maxSize, group.inputs.maxSize, "the rest of the group is kept");
    });
});
