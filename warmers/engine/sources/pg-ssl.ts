// What each `sslmode` of a PostgreSQL URL does here, said once: pg (unlike libpq) verifies the certificate and
// host name for prefer, require and verify-ca alike, and prints a 9-line warning saying so. The URL handed to pg
// names that behaviour (verify-full) instead, so it is what was asked for, without the warning.
export const SSL_MODES: Readonly<Record<string, string>> = {
    disable: "no TLS",
    "no-verify": "TLS, the certificate not checked",
    prefer: "TLS, the certificate and host name verified (as verify-full)",
    require: "TLS, the certificate and host name verified (as verify-full)",
    "verify-ca": "TLS, the certificate and host name verified (as verify-full)",
    "verify-full": "TLS, the certificate and host name verified",
};

/** The URL pg is given, or the problem with its sslmode. */
export function pgSslUrl(url: string): { ok: true; url: string } | { ok: false; problem: string } {
    if (!URL.canParse(url)) return { ok: true, url };
    const parsed = new URL(url);
    const mode = parsed.searchParams.get("sslmode");
    if (mode === null) return { ok: true, url };
    if (!Object.hasOwn(SSL_MODES, mode))
        return { ok: false, problem: `sslmode: one of ${Object.keys(SSL_MODES).join(", ")}; given "${mode}"` };
    if (mode === "prefer" || mode === "require" || mode === "verify-ca")
        parsed.searchParams.set("sslmode", "verify-full");
    return { ok: true, url: parsed.toString() };
}
