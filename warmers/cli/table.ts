// Compact text tables for a terminal: a title, a header, columns padded to their widest cell.

export interface Table {
    title: string;
    /** None: the rows alone (a list of label, value, note). */
    header?: string[];
    rows: string[][];
    /** Columns aligned right (figures); the rest align left. */
    right?: number[];
}

export function renderTable({ title, header, rows, right = [] }: Table): string {
    const lines = header ? [header, ...rows] : rows;
    const widths = lines[0].map((_, column) => Math.max(...lines.map((row) => (row[column] ?? "").length)));
    const line = (row: string[]) =>
        row
            .map((cell, column) =>
                right.includes(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
            )
            .join("  ")
            .trimEnd();
    return [title, ...lines.map(line)].join("\n");
}
