/**
 * Type checking and linting of notebook cells. `deno check` and `deno lint` don't read `.ipynb`, so
 * the code cells of a notebook are written, in order, to one TypeScript module next to the notebook
 * (same folder, so its relative imports resolve the same), checked, and deleted. Messages that point
 * into that module are translated back to `notebook.ipynb, cell N, line M`.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { codeCells, readNotebook } from "../report/notebook.ts";

/** A notebook's code extracted to a `.ts` file, with where each cell starts in it. */
export interface ExtractedNotebook {
  /** The notebook file. */
  notebook: string;
  /** The extracted module (delete it with {@linkcode removeExtracted}). */
  file: string;
  /** Per code cell: its 1-based number among all cells and its first line in `file` (1-based). */
  cells: { cell: number; firstLine: number }[];
}

/**
 * The code cells of `notebook` as one module: each cell preceded by a `// cell N` comment line.
 * Returns the text and the first line of each cell.
 */
export function notebookModule(
  cells: { index: number; source: string }[],
  notebookName: string,
): { text: string; cells: { cell: number; firstLine: number }[] } {
  const lines = [`// Code cells of ${notebookName}, extracted for deno check / deno lint. Do not edit.`];
  const starts: { cell: number; firstLine: number }[] = [];
  for (const { index, source } of cells) {
    lines.push(`// cell ${index + 1}`);
    starts.push({ cell: index + 1, firstLine: lines.length + 1 });
    lines.push(...source.split("\n"));
  }
  return { text: lines.join("\n") + "\n", cells: starts };
}

/** Writes the code of the notebook at `path` to a hidden `.ts` file beside it. */
export async function extractNotebook(path: string): Promise<ExtractedNotebook> {
  const notebook = await readNotebook(path);
  const name = basename(path, ".ipynb");
  const file = join(dirname(path), `.${name}.check-${Deno.pid}.ts`);
  const module = notebookModule(codeCells(notebook), basename(path));
  await Deno.writeTextFile(file, module.text);
  return { notebook: path, file, cells: module.cells };
}

/** Deletes extracted modules. */
export async function removeExtracted(extracted: readonly ExtractedNotebook[]): Promise<void> {
  await Promise.all(extracted.map((e) => Deno.remove(e.file).catch(() => {})));
}

/**
 * Rewrites `path:line:column` locations (plain or `file://` URLs) that point into an extracted
 * module into `notebook.ipynb, cell N, line M:column`.
 */
export function mapLocations(text: string, extracted: readonly ExtractedNotebook[]): string {
  let out = text;
  for (const e of extracted) {
    const absolute = resolve(e.file);
    for (const prefix of [`file://${absolute}`, absolute, e.file]) {
      const pattern = new RegExp(`${escapeRegExp(prefix)}:(\\d+)(?::(\\d+))?`, "g");
      out = out.replace(pattern, (_, line: string, column?: string) => {
        const n = Number(line);
        const cell = [...e.cells].reverse().find((c) => c.firstLine <= n);
        if (!cell) return `${e.notebook} (header line ${n})`;
        return `${e.notebook}, cell ${cell.cell}, line ${n - cell.firstLine + 1}${
          column ? `:${column}` : ""
        }`;
      });
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
