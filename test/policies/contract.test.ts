// What the pack and the program must agree on: the tags, the CachePrewarm type token, the policy names and
// levels, and per-stack policy configs that the CLI accepts and that describe the same event.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PolicyConfigSchema } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { namespaceValues, parseConfig } from "../../model/config";
import { TYPES } from "../../policies/shared/contract";
import { POLICY } from "../../policies/names";
import { PACK_NAME, policies } from "../../policies/pack";
import { committedStacks, runProgram, stackConfig } from "../support/pulumi";
import { committedPackConfig, PACK_DIR } from "./harness";

/** The CLI checks a policy's config with a JSON Schema validator (gojsonschema); ajv stands in for it here. */
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));

function schemaProblems(value: unknown, schema: PolicyConfigJSONSchema, at: string): string[] {
    const validate = ajv.compile(schema as object);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${at}${e.instancePath}: ${e.message}`);
}

describe("warm-readiness contract", () => {
    it("looks for the type token Pulumi gives a dynamic resource of module warmstack, type CachePrewarm", async () => {
        class Prewarm extends pulumi.dynamic.Resource {}
        const run = await runProgram({}, () => {
            const provider: pulumi.dynamic.ResourceProvider = { create: async () => ({ id: "prewarm" }) };
            new Prewarm(provider, "prewarm", { replicationGroupId: "g" }, undefined, "warmstack", "CachePrewarm");
            return {};
        });
        assert.deepEqual(
            run.resources.map((r) => r.type),
            [TYPES.cachePrewarm],
        );
    });

    it("serves every policy named in policies/names.ts once, at the level its description promises", () => {
        assert.equal(PACK_NAME, "warm-readiness");
        assert.deepEqual(
            policies.map((p) => p.name),
            Object.values(POLICY),
        );
        assert.deepEqual(Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel])), {
            "asg-warm-pool-required": "mandatory",
            "asg-flat-capacity": "advisory",
            "warm-pool-compatible": "mandatory",
            "warm-pool-state": "advisory",
            "asg-instance-warmup": "advisory",
            "warm-pool-launch-hook": "mandatory",
            "ramp-before-event": "mandatory",
            "cache-ha-encrypted": "mandatory",
            "cache-prewarmed": "mandatory",
            "cache-fits-hot-set": "mandatory",
            "prewarm-before-event": "mandatory",
            "prewarm-fits-one-run": "mandatory",
            "db-private-encrypted": "mandatory",
            "db-buffer-prewarm": "advisory",
            "db-read-replicas": "mandatory",
            "replica-buffers-warm": "advisory",
            "connection-budget": "mandatory",
            "db-always-on": "mandatory",
            "unjudged-resources": "advisory",
            "whole-chain-warm": "mandatory",
            "provisioned-concurrency-on-alias": "mandatory",
            "ecs-warm-pool-no-reuse": "mandatory",
        });
        assert.ok(
            policies.find((p) => p.name === "asg-instance-warmup" && "remediateResource" in p),
            "asg-instance-warmup remediates",
        );
    });

    it("describes each policy in whole sentences a blocked user can act on", () => {
        for (const policy of policies) {
            assert.match(policy.description, /^[A-Z].{40,}[.)]$/s, policy.name);
        }
    });

    it("describes its package as the CLI needs it: a version, the pack's entry point, the Pulumi dependencies", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "..", "package.json"), "utf8"));
        assert.equal(pkg.name, PACK_NAME);
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        assert.ok(fs.existsSync(path.join(PACK_DIR, pkg.main)), "main exists");
        // run-policy-pack compiles index.ts with ts-node, type-checked: the compiler ships with the pack.
        for (const dependency of ["@pulumi/policy", "@pulumi/pulumi", "typescript", "ts-node", "@types/node"]) {
            // The root bundles its CLI and keeps its Pulumi packages as development dependencies.
            assert.equal(
                pkg.dependencies[dependency],
                { ...root.devDependencies, ...root.dependencies }[dependency],
                `${dependency} range as the root's`,
            );
        }
        assert.match(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
    });

    for (const stack of committedStacks()) {
        describe(`policies/config/${stack}.json`, () => {
            const config = committedPackConfig(stack);

            it("configures known policies with properties their schema declares and accepts", () => {
                const problems = Object.entries(config).flatMap(([name, entry]) => {
                    const policy = policies.find((p) => p.name === name);
                    if (!policy) return [`${name}: no such policy`];
                    const { enforcementLevel, ...properties } =
                        typeof entry === "string" ? { enforcementLevel: entry } : entry;
                    const levels = ["advisory", "mandatory", "remediate", "disabled"];
                    const schema: PolicyConfigSchema = policy.configSchema ?? { properties: {} };
                    return [
                        ...(enforcementLevel === undefined || levels.includes(enforcementLevel)
                            ? []
                            : [`${name}: enforcementLevel ${enforcementLevel}`]),
                        ...Object.entries(properties).flatMap(([key, value]) => {
                            const property = schema.properties[key];
                            return typeof property === "object"
                                ? schemaProblems(value, property, `${name}.${key}`)
                                : [`${name}.${key}: not in the schema`];
                        }),
                    ];
                });
                assert.deepEqual(problems, []);
            });

            it(
                "names the same event (ramp and scheduled warm), lead and connection reserve as Pulumi." +
                    stack +
                    ".yaml",
                () => {
                    const { event, database } = parseConfig(namespaceValues(stackConfig(stack)));
                    const ramp = config["ramp-before-event"] as
                        { eventStart?: string; rampLeadMinutes?: number } | undefined;
                    assert.deepEqual(
                        ramp && { start: ramp.eventStart, lead: ramp.rampLeadMinutes },
                        event && { start: event.start, lead: event.rampLeadMinutes },
                    );
                    const warm = config["prewarm-before-event"] as { eventStart?: string } | undefined;
                    assert.equal(warm?.eventStart, event?.start);
                    assert.equal(
                        (config["connection-budget"] as { reserve: number }).reserve,
                        database.connectionReserve,
                    );
                },
            );
        });
    }
});
