// The pack started exactly as the Pulumi CLI starts a Node.js policy pack — the `pulumi-analyzer-policy` shim
// resolves @pulumi/pulumi/cmd/run-policy-pack from the pack's directory and runs it there with
// `<engine address> .` — and spoken to over pulumirpc.Analyzer the way the CLI does for `pulumi preview`:
// Handshake, ConfigureStack, GetAnalyzerInfo, Configure with the reconciled config, Analyze per resource,
// AnalyzeStack at the end, every request carrying the resource's options.
import { strict as assert } from "node:assert";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { TYPES } from "../../policies/shared/contract";
import { POLICY } from "../../policies/names";
import { BUILT_EVENT, stackConfig } from "../support/pulumi";
import {
    analyzeRequest,
    connect,
    ENGINE_ADDRESS,
    grpc,
    LEVELS,
    reconciled,
    stackRequest,
    STACK,
    START_TIMEOUT_MS,
    startPack,
    verdicts,
} from "./analyzer";
import {
    committedPackConfig,
    edited,
    EngineResource,
    one,
    PACK_DIR,
    PACK_VERSION,
    programResources,
    UNKNOWN,
    withoutPrewarm,
} from "./harness";
import { resource } from "./fixtures";

describe("warm-readiness over the analyzer protocol, started as the CLI starts it", function () {
    this.timeout(START_TIMEOUT_MS + 30_000);
    let pack: ReturnType<typeof connect>;
    let resources: EngineResource[];
    let info: proto.AnalyzerInfo;

    const unary = <Res>(method: Parameters<typeof pack.unary>[0], request: unknown) => pack.unary<Res>(method, request);
    const analyzeAll = async (rs: EngineResource[]) =>
        (await Promise.all(rs.map((r) => unary<proto.AnalyzeResponse>("analyze", analyzeRequest(r))))).flatMap(
            verdicts,
        );

    before(async () => {
        const started = startPack();
        resources = await programResources(BUILT_EVENT);
        pack = connect(await started.port, started.child);
    });

    after(() => pack?.stop());

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
        for (const [key, value] of Object.entries(stackConfig(BUILT_EVENT))) stack.getConfigMap().set(key, value);
        await unary("configureStack", stack);

        info = await unary<proto.AnalyzerInfo>("getAnalyzerInfo", new Empty());
        assert.equal(info.getName(), "warm-readiness");
        assert.equal(info.getVersion(), PACK_VERSION);
        assert.ok(info.getSupportsconfig());
        const policies = Object.fromEntries(
            info.getPoliciesList().map((p) => [p.getName(), LEVELS[p.getEnforcementlevel()]]),
        );
        assert.deepEqual(Object.keys(policies), Object.values(POLICY));
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
            /^Every ElastiCache cache is filled with the hot keys[^\n]+\ncache-redis is not the target of any CachePrewarm/,
        );
        assert.match(
            found[1].message,
            /The compute is warm \(app-group keeps 29 instance\(s\) warm\), but 1 link\(s\) behind it are cold:\n {2}- cache cache-redis/,
        );
    });

    it("AnalyzeStack: passes the committed stack, whose CachePrewarm's replicationGroupId depends on the group", async () => {
        assert.deepEqual(verdicts(await unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(resources))), []);
    });

    it("AnalyzeStack: blocks a scale-down before the end, and names a replica of a database outside the stack", async () => {
        const group = one(resources, TYPES.group);
        const down = resource(
            TYPES.schedule,
            "early-scale-down",
            {
                autoscalingGroupName: group.outputs.name,
                startTime: "2027-11-26T04:50:00Z",
                desiredCapacity: 2,
                minSize: 2,
            },
            { autoscalingGroupName: [group] },
        );
        const orphan = resource(TYPES.dbInstance, "orders-replica", {
            identifier: "orders-replica",
            replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:legacy-orders",
            publiclyAccessible: false,
            address: "orders-replica.example.internal",
        });
        const found = verdicts(
            await unary<proto.AnalyzeResponse>("analyzeStack", stackRequest([...resources, down, orphan])),
        );
        // Its max_connections is its source's (no parameter group of the stack): left to unjudged-resources.
        assert.deepEqual(found.map((d) => `${d.policy} ${d.level} ${d.resource}`).sort(), [
            `ramp-before-event mandatory ${group.name}`,
            "replica-buffers-warm advisory orders-replica",
            "unjudged-resources advisory orders-replica",
            "whole-chain-warm mandatory stack",
        ]);
        assert.match(
            found.find((d) => d.policy === "ramp-before-event")!.message,
            /scheduled action early-scale-down, at 2027-11-26T04:50:00Z \(10 min before the event blackfriday at 2027-11-26T05:00:00Z\), lowers its desiredCapacity 2, minSize 2/,
        );
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

    /** The program's group launching On-Demand types through a mixedInstancesPolicy, its template kept. */
    const mixedGroup = (distribution: Record<string, unknown>) =>
        edited(resources, TYPES.group, (p, r) => {
            p.mixedInstancesPolicy = {
                launchTemplate: {
                    launchTemplateSpecification: { launchTemplateId: p.launchTemplate.id, version: "$Latest" },
                    overrides: [{ instanceType: "c7i.xlarge" }, { instanceType: "m7i.xlarge" }],
                },
                instancesDistribution: distribution,
            };
            delete p.launchTemplate;
            r.propertyDependencies.mixedInstancesPolicy ??= r.propertyDependencies.launchTemplate;
            delete r.propertyDependencies.launchTemplate;
        });

    it("AnalyzeStack: passes a warm pool on an On-Demand mixed instances group, which AWS accepts since November 2025", async () => {
        const onDemand = mixedGroup({ onDemandBaseCapacity: 0, onDemandPercentageAboveBaseCapacity: 100 });
        assert.deepEqual(verdicts(await unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(onDemand))), []);
        assert.deepEqual(await analyzeAll(onDemand), []);
    });

    it("AnalyzeStack: blocks a warm pool on a group that asks for Spot, on warm-pool-compatible only", async () => {
        const spot = mixedGroup({ onDemandBaseCapacity: 4, onDemandPercentageAboveBaseCapacity: 0 });
        const found = verdicts(await unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(spot)));
        assert.deepEqual(
            found.map((d) => `${d.policy} ${d.level} ${d.resource}`),
            ["warm-pool-compatible mandatory app-group"],
        );
        assert.match(
            found[0].message,
            /app-group's warm pool would be rejected at apply time:\n {2}- the group's mixedInstancesPolicy asks for Spot capacity \(instancesDistribution\.onDemandPercentageAboveBaseCapacity 0: 100 % of the instances above the base are Spot\)/,
        );
    });

    it("a compliant stack without warmstack's tags passes with no mandatory violation, and is told what to tag", async () => {
        const untagged = structuredClone(resources);
        for (const r of untagged) {
            for (const props of [r.inputs, r.outputs]) {
                if (r.type === TYPES.group)
                    props.tags = props.tags.filter((t: { key: string }) => !t.key.startsWith("warmstack:"));
                if (r.type === TYPES.replicationGroup)
                    props.tags = Object.fromEntries(
                        Object.entries(props.tags ?? {}).filter(([key]) => !key.startsWith("warmstack:")),
                    );
            }
        }
        assert.deepEqual(await analyzeAll(untagged), []);
        const advised = verdicts(await unary<proto.AnalyzeResponse>("analyzeStack", stackRequest(untagged)));
        assert.deepEqual(advised.map((d) => `${d.policy} ${d.level} ${d.resource}`).sort(), [
            "unjudged-resources advisory app-group",
            "unjudged-resources advisory cache-redis",
        ]);
        const messages = advised.map((d) => d.message).join("\n");
        assert.match(
            messages,
            /app-group does not publish the connections each instance opens .*Tag the group with its per-instance pool sizes \(warmstack:pool-writer: to the writer/,
        );
        assert.match(
            messages,
            /cache-redis does not publish the size of the hot set its CachePrewarm writes \(tag warmstack:hot-set-bytes/,
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
