// The least-privilege PostgreSQL roles, created at deploy time by the master user (the only place it is used):
// a read-only role the warms log in as, and a login-only role the instances' agent proves its pools with.
// Idempotent: CREATE ROLE when missing, ALTER ROLE otherwise, so every `pulumi up` converges (and rotates).
// Passwords travel as SCRAM verifiers, as psql's \password sends them: the plain text is in no statement.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { Client, escapeIdentifier, escapeLiteral } from "pg";
import { WarmstackError } from "../../model/errors";
import { withTimeout } from "../timeout";

export interface RoleSpec {
    name: string;
    password: string;
}

export interface Roles {
    /** Reads every table (pg_read_all_data), writes nothing: the pre-warm's source and the replica warm. */
    warmer: RoleSpec;
    /** Logs in and runs `SELECT 1`: the agent's pool warm-up on each instance. */
    agent?: RoleSpec;
}

/** What each kind of role is granted beyond LOGIN, and the session default that keeps it from writing. */
const GRANTS: Record<keyof Roles, string[]> = {
    warmer: ["GRANT pg_read_all_data TO %I"],
    agent: [],
};

const SCRAM_ITERATIONS = 4096;

/** The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 7677, with PostgreSQL's text format). */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
    const salted = pbkdf2Sync(password.normalize("NFKC"), salt, SCRAM_ITERATIONS, 32, "sha256");
    const clientKey = createHmac("sha256", salted).update("Client Key").digest();
    const storedKey = createHash("sha256").update(clientKey).digest();
    const serverKey = createHmac("sha256", salted).update("Server Key").digest();
    const b64 = (b: Buffer) => b.toString("base64");
    return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

export class RoleSetupError extends WarmstackError {
    readonly code = "WARM_CONNECTION";
}

/** The statements that bring `role` to its spec; pure, so a test reads them. */
export function roleStatements(kind: keyof Roles, role: RoleSpec, exists: boolean, verifier: string): string[] {
    const name = escapeIdentifier(role.name);
    return [
        `${exists ? "ALTER" : "CREATE"} ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${escapeLiteral(verifier)}`,
        // Even a statement that would write fails: the role reads, nothing more.
        `ALTER ROLE ${name} SET default_transaction_read_only = on`,
        ...GRANTS[kind].map((grant) => grant.replace("%I", name)),
    ];
}

/**
 * Creates or updates each role on the primary, connected as the master user (`adminUrl`). Each statement has
 * its own timeout; errors name the role, never its password.
 */
export async function ensureRoles(adminUrl: string, roles: Roles, timeoutMs: number): Promise<void> {
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: timeoutMs });
    client.on("error", () => undefined); // surfaces through the query that needed the connection
    const host = new URL(adminUrl).host;
    try {
        await withTimeout(client.connect(), timeoutMs, `connect to ${host}`);
        for (const [kind, role] of Object.entries(roles) as [keyof Roles, RoleSpec | undefined][]) {
            if (!role) continue;
            try {
                const found = await withTimeout(
                    client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role.name]),
                    timeoutMs,
                    `role ${role.name}`,
                );
                for (const statement of roleStatements(kind, role, found.rowCount === 1, scramVerifier(role.password)))
                    await withTimeout(client.query(statement), timeoutMs, `role ${role.name}`);
            } catch (err) {
                throw new RoleSetupError(
                    `${host}: cannot set up the ${kind} role ${role.name}: ${(err as Error).message}`,
                    {
                        cause: err,
                    },
                );
            }
        }
    } catch (err) {
        if (err instanceof RoleSetupError) throw err;
        throw new RoleSetupError(`${host}: cannot set up the database roles: ${(err as Error).message}`, {
            cause: err,
        });
    } finally {
        await withTimeout(client.end(), timeoutMs, "close").catch(() => undefined);
    }
}
