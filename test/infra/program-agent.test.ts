// The agent the stack delivers to its own instances, under mocks: a private, encrypted, versioned, TLS-only
// bucket; the object holding exactly the bundle; user data carrying that bundle's digest; and an instance role
// that may read that one object and nothing else in S3.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { warmstackFromPulumiConfig } from "../../infra/stack";
import { agentBundle } from "../../infra/bundles";
import { NOW, ProgramRun, runProgram, stackConfig, statementsOf, T, userDataOf, BUILT_EVENT } from "../support/pulumi";

describe("program under mocks: the agent delivered by the stack", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(stackConfig(BUILT_EVENT), () => warmstackFromPulumiConfig(NOW), "blackfriday");
    });
    const bucketId = () => run.one(T.bucket).id;
    const onBucket = (type: string) => {
        const found = run.ofType(type).filter((r) => r.inputs.bucket === bucketId());
        assert.equal(found.length, 1, `one ${type} on the agent bucket`);
        return found[0].inputs;
    };

    it("keeps the bucket private: public access blocked four ways, ACLs off", () => {
        assert.deepEqual(onBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"), {
            bucket: bucketId(),
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        assert.equal(
            onBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule.objectOwnership,
            "BucketOwnerEnforced",
        );
    });

    it("encrypts and versions it", () => {
        const encryption = onBucket(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        );
        assert.equal(encryption.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
        assert.equal(onBucket("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration.status, "Enabled");
    });

    it("denies every request without TLS", () => {
        const policy = JSON.parse(onBucket("aws:s3/bucketPolicy:BucketPolicy").policy);
        const arn = run.one(T.bucket).state.arn;
        assert.deepEqual(policy.Statement, [
            {
                Sid: "DenyWithoutTls",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
    });

    it("stores exactly the agent bundle, under a key that carries its digest", () => {
        const object = run.one(T.bucketObject).inputs;
        const { code, sha256 } = agentBundle();
        assert.equal(object.bucket, bucketId());
        assert.equal(object.content, code);
        assert.equal(createHash("sha256").update(object.content, "utf8").digest("hex"), sha256);
        assert.equal(object.key, `warmstack-agent/${sha256}.js`);
    });

    it("gives the user data that object's bucket, key, region and the digest of exactly that content", () => {
        const { script } = userDataOf(run);
        const object = run.one(T.bucketObject).inputs;
        const digest = createHash("sha256").update(object.content, "utf8").digest("hex");
        assert.match(script, new RegExp(`SHA256='${digest}'`));
        assert.ok(
            script.includes(
                `OBJECT_URL='https://${run.one(T.bucket).state.bucket}.s3.us-east-1.amazonaws.com/${object.key}'`,
            ),
            "the user data downloads that object",
        );
        assert.deepEqual(run.outputs.agent, {
            bucket: run.one(T.bucket).state.bucket,
            key: object.key,
            sha256: digest,
        });
    });

    it("lets the instance role read that one object and nothing else in S3", () => {
        const s3 = statementsOf(run, "app-instance").filter((s) =>
            [s.Action].flat().some((a: string) => a.startsWith("s3:")),
        );
        assert.deepEqual(s3, [
            {
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: `${run.one(T.bucket).state.arn}/${run.one(T.bucketObject).inputs.key}`,
            },
        ]);
    });
});
