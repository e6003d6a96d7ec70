// StoredAgent: the agent the stack delivers to its own instances (`compute.agent.source: stack`). One
// self-contained JavaScript file in a private bucket: encrypted, versioned, public access blocked, TLS only.
// The object's key carries the digest, so a new agent is a new object and an instance never reads half of one;
// the user data checks the SHA-256 computed here before it runs the file.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { agentBundle } from "./bundles";
import { AgentArtifact } from "./userdata";

export class StoredAgent extends pulumi.ComponentResource {
    readonly bucket: pulumi.Output<string>;
    readonly key: string;
    readonly sha256: string;
    /** The one object the instance role may read. */
    readonly objectArn: pulumi.Output<string>;
    /** What the user data needs to fetch and check it. */
    readonly artifact: pulumi.Output<AgentArtifact>;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("warmstack:compute:StoredAgent", name, {}, opts);
        const parent = { parent: this };
        const { code, sha256 } = agentBundle();

        // forceDestroy: the bucket holds only what the program builds again, so a teardown may empty it.
        const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: true }, parent);
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            parent,
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            parent,
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            },
            parent,
        );
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            parent,
        );
        new aws.s3.BucketPolicy(
            `${name}-tls-only`,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "DenyWithoutTls",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            // After the public access block: a policy is judged against it when it is put.
            { parent: this, dependsOn: [publicAccess] },
        );

        this.key = `warmstack-agent/${sha256}.js`;
        const object = new aws.s3.BucketObjectv2(
            `${name}-object`,
            {
                bucket: bucket.id,
                key: this.key,
                content: code,
                contentType: "text/javascript",
                serverSideEncryption: "AES256",
            },
            { parent: this, dependsOn: [encryption, versioning] },
        );
        this.bucket = bucket.bucket;
        this.sha256 = sha256;
        this.objectArn = pulumi.interpolate`${bucket.arn}/${object.key}`;
        this.artifact = pulumi
            .all([bucket.bucket, object.key, aws.getRegionOutput({}, parent).region])
            .apply(([name, key, region]): AgentArtifact => ({ source: "stack", bucket: name, key, sha256, region }));
        this.registerOutputs({ bucket: this.bucket, key: this.key, sha256 });
    }
}
