// Secrets are fetched at run time, never written into user data. Error messages name the source (ARN or
// variable), never the value.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretSource } from "../../model/agent-config";
import { abortAfter } from "../timeout";
import { SecretError } from "./errors";
import type { AwsCredentials } from "./lifecycle";

export interface SecretReaderOptions {
    region: string;
    /** Secrets Manager endpoint override (tests). */
    endpoint?: string;
    credentials?: AwsCredentials;
    /** Per GetSecretValue call. */
    timeoutMs: number;
    /** Where `{ env }` sources are read; process.env by default. */
    env?: NodeJS.ProcessEnv;
}

/** Reads secret sources through one Secrets Manager client; close() when done. */
export class SecretReader {
    private client: SecretsManagerClient | undefined;

    constructor(private readonly options: SecretReaderOptions) {}

    async read(source: SecretSource): Promise<string> {
        if (source.env !== undefined) {
            const value = (this.options.env ?? process.env)[source.env];
            if (!value) throw new SecretError(`environment variable ${source.env} is not set`);
            return value;
        }
        const secretId = source.secretArn as string; // the schema guarantees exactly one of env / secretArn
        let secret: string | undefined;
        try {
            const command = new GetSecretValueCommand({ SecretId: secretId });
            const answer = await abortAfter(this.options.timeoutMs, "GetSecretValue", (abortSignal) =>
                this.sm().send(command, { abortSignal }),
            );
            secret = answer.SecretString;
        } catch (err) {
            throw new SecretError(`cannot read ${secretId}: ${(err as Error).message}`, { cause: err });
        }
        if (!secret) throw new SecretError(`${secretId} has no SecretString (binary secrets are not supported)`);
        return passwordOf(secret);
    }

    close(): void {
        this.client?.destroy();
        this.client = undefined;
    }

    private sm(): SecretsManagerClient {
        const { region, endpoint, credentials, timeoutMs } = this.options;
        this.client ??= new SecretsManagerClient({
            region,
            endpoint,
            credentials,
            requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
        });
        return this.client;
    }
}

/** RDS-managed secrets are JSON `{"username", "password"}`; anything else is the secret itself (an auth token). */
function passwordOf(secret: string): string {
    try {
        const parsed: unknown = JSON.parse(secret);
        if (parsed && typeof parsed === "object" && typeof (parsed as { password?: unknown }).password === "string") {
            return (parsed as { password: string }).password;
        }
    } catch {
        // Not JSON: a plain token.
    }
    return secret;
}
