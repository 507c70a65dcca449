/**
 * The CSV without some of its rows, named by the line each starts on (the header is line 1), as the import preview
 * names rows. A quoted field may hold line breaks, so rows are found by reading the quotes, not by splitting lines;
 * everything else (the header, the other rows, their line ends) stays byte for byte.
 */
export function withoutRows(csv: string, lines: ReadonlySet<number>): string {
  let out = '';
  let line = 1;
  let rowStart = 0;
  let rowLine = 1;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (c === '"') {
      quoted = !quoted;
    } else if (c === '\n' && !quoted) {
      if (!lines.has(rowLine)) out += csv.slice(rowStart, i + 1);
      line++;
      rowStart = i + 1;
      rowLine = line;
    } else if (c === '\n') {
      line++;
    }
  }
  if (rowStart < csv.length && !lines.has(rowLine)) out += csv.slice(rowStart);
  return out;
}
