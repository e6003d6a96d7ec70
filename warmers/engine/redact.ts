// Secrets never reach a message or a log: credentials in URLs are masked — the userinfo's password and the query
// parameters that carry one (`?password=…`, which libpq and pg read like the userinfo's) — and any known secret
// is replaced wherever it appears (a driver may echo a connection string in its own error text).

// userinfo before "@": a user without brackets (a URL percent-encodes them there), so usage text such as
// `redis://[user:password@]host` is shown as written.
const URL_PASSWORD = /(\/\/[^/?#@:\s[\]]*:)[^/?#@\s]*@/g;

/**
 * Query parameter names that carry a credential: libpq's `password` and `sslpassword`, and the usual spellings
 * elsewhere (`pass`, `passwd`, `pwd`, `secret`, `token`, `auth`, `api_key`, `access_key`…).
 */
const SECRET_PARAM = /(?:pass(?:word|wd)?|pwd|secret|token|auth|api_?key|access_?key|credential)/i;
// A parameter after "?" or "&" in a URL (or a bare `password=…` in a libpq key/value string): its value runs to
// the next "&", "#", quote or white space.
const PARAM = /([?&\s]|^)([A-Za-z0-9_.-]+)=([^&#\s"']*)/g;

export class Redactor {
    private readonly secrets: string[];

    constructor(secrets: (string | undefined)[]) {
        // Longest first, so a secret containing another is masked whole. Very short ones would mask every
        // occurrence of a common letter; in URLs the patterns below still catch them.
        this.secrets = secrets.filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
    }

    text(message: string): string {
        // Known secrets first: a password containing "@" would otherwise be cut short by the URL pattern.
        let masked = message;
        for (const secret of this.secrets) masked = masked.split(secret).join("***");
        return masked
            .replace(URL_PASSWORD, "$1***@")
            .replace(PARAM, (whole, before: string, name: string, value: string) =>
                SECRET_PARAM.test(name) && value && value !== "***" ? `${before}${name}=***` : whole,
            );
    }
}

/** The credentials a URL carries — the userinfo's password and secret query parameters — raw and percent-decoded. */
export function urlSecrets(url: string): string[] {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return [];
    }
    const secrets = parsed.password ? [parsed.password, decoded(parsed.password)] : [];
    for (const [, , name, value] of parsed.search.matchAll(PARAM)) {
        // A query string may spell a space as "+": both readings are masked.
        if (SECRET_PARAM.test(name) && value) secrets.push(value, decoded(value), decoded(value.replace(/\+/g, " ")));
    }
    return [...new Set(secrets)];
}

function decoded(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text; // not valid percent-encoding: the raw text is what a driver would echo
    }
}
