// Text from the data (a key, a file name, a server's reply) made safe for a terminal line: a key holding ESC
// could recolour or clear the screen, one holding "\n" could forge a line of the report. Control characters
// (C0, DEL, C1), line and paragraph separators and bidi controls are shown as escapes, and "\" as "\\", so the
// printed text names the bytes unambiguously; everything else, non-ASCII letters included, is shown as it is.

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
    return text.replace(UNPRINTABLE, (char) => {
        if (char === "\\") return "\\\\";
        const code = char.charCodeAt(0);
        return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
    });
}
