// A port of Go's text/tabwriter (as kubectl vendors it): tab-separated cells aligned into columns.
//
// Cells end with a tab; the text after a line's last tab belongs to no column and is not padded.
// A column's width is set per *block*: consecutive lines that all have a cell in that column.
// That is what makes `kubectl describe` align `Name:`-style fields within a section but not
// across sections. kubectl prints tables with (minWidth 6, padding 3) and remembers widths across
// flushes so watch rows line up with the header; describe uses (minWidth 0, padding 2).

export interface TabWriterOptions {
  minWidth: number;
  padding: number;
  /** Keep column widths across `flush()` calls (kubectl's RememberWidths flag). */
  rememberWidths?: boolean;
}

/** kubectl's table printer settings. */
export const tableOptions: TabWriterOptions = Object.freeze({ minWidth: 6, padding: 3 });
/** kubectl's describe settings. */
export const describeOptions: TabWriterOptions = Object.freeze({ minWidth: 0, padding: 2 });

function textWidth(s: string): number {
  return [...s].length;
}

/** Buffers text and aligns it on flush. */
export class TabWriter {
  private buffer = '';
  private readonly remembered: number[] = [];

  constructor(private readonly options: TabWriterOptions) {}

  write(s: string): void {
    this.buffer += s;
  }

  /** The aligned text of everything written since the last flush (complete lines only are expected). */
  flush(): string {
    const text = this.buffer;
    this.buffer = '';
    return this.format(text);
  }

  private format(text: string): string {
    const trailingNewline = text.endsWith('\n');
    const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
    if (text === '') return '';
    const out: string[] = new Array<string>(lines.length).fill('');
    const widths: number[] = [];
    const writeLines = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const cells = lines[i] ?? [];
        let s = '';
        cells.forEach((cell, j) => {
          s += cell;
          const w = widths[j];
          if (j < cells.length - 1 && w !== undefined) s += ' '.repeat(Math.max(0, w - textWidth(cell)));
        });
        out[i] = s;
      }
    };
    const format = (line0: number, line1: number): void => {
      const column = widths.length;
      let start = line0;
      for (let i = line0; i < line1; i++) {
        if (column >= (lines[i]?.length ?? 0) - 1) continue;
        writeLines(start, i);
        start = i;
        let width = this.options.minWidth;
        for (; i < line1; i++) {
          const cells = lines[i] ?? [];
          if (column >= cells.length - 1) break;
          width = Math.max(width, textWidth(cells[column] ?? '') + this.options.padding);
        }
        if (this.options.rememberWidths) {
          width = Math.max(width, this.remembered[column] ?? 0);
          this.remembered[column] = width;
        }
        widths.push(width);
        format(start, i);
        widths.pop();
        start = i;
        // As in Go, the loop's i++ skips the line that ended the block: it has no cell here.
      }
      writeLines(start, line1);
    };
    format(0, lines.length);
    return out.join('\n') + (trailingNewline ? '\n' : '');
  }
}

/** Aligns `text` in one go. */
export function tabulate(text: string, options: TabWriterOptions): string {
  const w = new TabWriter(options);
  w.write(text);
  return w.flush();
}
