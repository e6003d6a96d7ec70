import assert from "node:assert/strict";
import { SecretError } from "../../warmers/agent/errors";
import { SecretReader } from "../../warmers/agent/secrets";
import { CREDENTIALS, LoopbackHttp, fakeSecretsManager } from "./endpoints";

const RDS_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-abc";
const TOKEN_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache-token";
const MISSING = "arn:aws:secretsmanager:us-east-1:123456789012:secret:absent";

describe("agent secrets", () => {
    let sm: LoopbackHttp;
    let reader: SecretReader;

    before(async () => {
        sm = await fakeSecretsManager({
            [RDS_SECRET]: JSON.stringify({ username: "app", password: "rds-managed-password" }),
            [TOKEN_SECRET]: "plain-auth-token",
        });
        reader = new SecretReader({
            region: "us-east-1",
            endpoint: sm.url,
            credentials: CREDENTIALS,
            timeoutMs: 2000,
            env: { APP_TOKEN: "from-env" },
        });
    });
    after(async () => {
        reader.close();
        await sm.close();
    });

    it("takes the password out of an RDS-managed JSON secret", async () => {
        assert.equal(await reader.read({ secretArn: RDS_SECRET }), "rds-managed-password");
    });

    it("takes a plain secret string as the token", async () => {
        assert.equal(await reader.read({ secretArn: TOKEN_SECRET }), "plain-auth-token");
    });

    it("reads environment sources", async () => {
        assert.equal(await reader.read({ env: "APP_TOKEN" }), "from-env");
        await assert.rejects(reader.read({ env: "UNSET_TOKEN" }), /environment variable UNSET_TOKEN is not set/);
    });

    it("names the secret that cannot be read", async () => {
        await assert.rejects(reader.read({ secretArn: MISSING }), (err: Error) => {
            assert.ok(err instanceof SecretError);
            assert.match(
                err.message,
                new RegExp(
                    `^cannot read ${MISSING.replace(/[$!]/g, "\\$&")}: Secrets Manager can't find the specified secret`,
                ),
            );
            return true;
        });
    });
});
