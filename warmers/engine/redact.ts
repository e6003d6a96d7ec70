// Secrets never reach a message or a log: passwords in URLs are masked, and any known secret is replaced
// wherever it appears (a driver may echo a connection string in its own error text).

// userinfo before "@": a user without brackets (a URL percent-encodes them there), so usage text such as
// `redis://[user:password@]host` is shown as written.
const URL_PASSWORD = /(\/\/[^/?#@:\s[\]]*:)[^/?#@\s]*@/g;

export class Redactor {
    private readonly secrets: string[];

    constructor(secrets: (string | undefined)[]) {
        // Longest first, so a secret containing another is masked whole. Very short ones would mask every
        // occurrence of a common letter; in URLs the pattern below still catches them.
        this.secrets = secrets.filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
    }

    text(message: string): string {
        // Known secrets first: a password containing "@" would otherwise be cut short by the URL pattern.
        let masked = message;
        for (const secret of this.secrets) masked = masked.split(secret).join("***");
        return masked.replace(URL_PASSWORD, "$1***@");
    }
}

/** Passwords in a URL's userinfo, raw and percent-decoded, for a Redactor. */
export function urlSecrets(url: string): string[] {
    try {
        const password = new URL(url).password;
        return password ? [password, decodeURIComponent(password)] : [];
    } catch {
        return [];
    }
}
