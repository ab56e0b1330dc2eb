/**
 * Jupyter notebook files (nbformat 4) as the report pipeline reads them: cells, the parameters cell,
 * the small parameters CI runs with, and the code of every cell for type checking.
 *
 * Parameters follow papermill's convention: one code cell tagged `parameters` declares them, one per
 * line, as `const name = value;` (a type annotation is allowed). Running with other values rewrites
 * those lines, so the executed notebook and its report show the values that were used.
 *
 * @module
 */
import type { ReportProvenance } from "./provenance.ts";

/** A parameter value: anything JSON can write (it is written into the cell as a literal). */
export type ParameterValue = string | number | boolean | null | ParameterValue[];

/** Parameter values by name. */
export type Parameters = Record<string, ParameterValue>;

/** One notebook cell. */
export interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: { tags?: string[]; [key: string]: unknown };
  outputs?: unknown[];
  execution_count?: number | null;
  id?: string;
}

/** What the project keeps in a notebook's metadata under `posterlab`. */
export interface PosterlabMetadata {
  /** Parameter values for a quick run (CI, `deno task report --small`). */
  small?: Parameters;
  /** In an executed notebook: what produced it (see provenance.ts). */
  report?: ReportProvenance;
  /** Read by the HTML template (report.html.j2) in the copy that export.ts converts. */
  export?: { math: boolean; header: string };
}

/** A notebook file. */
export interface Notebook {
  cells: NotebookCell[];
  metadata: {
    posterlab?: PosterlabMetadata;
    kernelspec?: { name: string; display_name?: string };
    [key: string]: unknown;
  };
  nbformat: number;
  nbformat_minor: number;
}

/** Reads and checks a notebook file; the error names the file. */
export async function readNotebook(path: string): Promise<Notebook> {
  const text = await Deno.readTextFile(path);
  let notebook: Notebook;
  try {
    notebook = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid notebook JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(notebook.cells) || notebook.nbformat !== 4) {
    throw new Error(`${path} is not an nbformat 4 notebook (no "cells" list or nbformat != 4).`);
  }
  return notebook;
}

/** The text of a cell. */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** The cells that run code, with their text. */
export function codeCells(notebook: Notebook): { index: number; source: string }[] {
  return notebook.cells
    .map((cell, index) => ({ cell, index }))
    .filter(({ cell }) => cell.cell_type === "code")
    .map(({ cell, index }) => ({ index, source: cellSource(cell) }));
}

// `const name = value;` or `const name: Type = value;`, optionally followed by a `// comment`.
const DECLARATION = /^(\s*(?:const|let)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*)(.*?);(\s*\/\/.*)?$/;

/** The index of the cell tagged `parameters`, or -1. */
export function parametersCellIndex(notebook: Notebook): number {
  return notebook.cells.findIndex((c) =>
    c.cell_type === "code" && (c.metadata.tags ?? []).includes("parameters")
  );
}

/** The parameters a notebook declares: name → the value's source text. */
export function declaredParameters(notebook: Notebook): Map<string, string> {
  const index = parametersCellIndex(notebook);
  const declared = new Map<string, string>();
  if (index < 0) return declared;
  for (const line of cellSource(notebook.cells[index]).split("\n")) {
    const match = DECLARATION.exec(line);
    if (match) declared.set(match[2], match[3]);
  }
  return declared;
}

/** The value of a declaration's source text when it is a JSON literal (`"../data"`, `3`, `null`), else undefined. */
export function literalValue(source: string | undefined): ParameterValue | undefined {
  if (source === undefined) return undefined;
  try {
    return JSON.parse(source);
  } catch {
    return undefined; // an expression, e.g. `genreGroup(7)`
  }
}

/**
 * A copy of `notebook` whose parameters cell declares `values` instead of its own. Throws, naming
 * the notebook and the known parameters, when a value has no declaration to replace.
 */
export function withParameters(notebook: Notebook, values: Parameters, name = "notebook"): Notebook {
  const names = Object.keys(values);
  if (names.length === 0) return notebook;
  const index = parametersCellIndex(notebook);
  if (index < 0) {
    throw new Error(
      `${name} has no cell tagged "parameters", so parameters ${names.join(", ")} can't be set.`,
    );
  }
  const declared = declaredParameters(notebook);
  const unknown = names.filter((n) => !declared.has(n));
  if (unknown.length) {
    throw new Error(
      `${name} has no parameter ${unknown.join(", ")}; its parameters cell declares ` +
        `${[...declared.keys()].join(", ") || "nothing"}.`,
    );
  }
  const lines = cellSource(notebook.cells[index]).split("\n").map((line) => {
    const match = DECLARATION.exec(line);
    if (!match || !(match[2] in values)) return line;
    return `${match[1]}${JSON.stringify(values[match[2]])};${match[4] ?? ""}`;
  });
  const note = `// Set by deno task report: ${names.join(", ")}.`;
  const cells = notebook.cells.map((cell, i) =>
    i === index ? { ...cell, source: [note, ...lines].join("\n"), outputs: [], execution_count: null } : cell
  );
  return { ...notebook, cells };
}

/** The parameters of a quick run stored in the notebook's metadata (`posterlab.small`). */
export function smallParameters(notebook: Notebook): Parameters {
  return { ...(notebook.metadata.posterlab?.small ?? {}) };
}

// Math as Jupyter renders it in Markdown: $$...$$, \(...\), \[...\], \begin{...}, or $...$ around
// something that doesn't start or end with a space (so "$5 and $10" is not math).
const MATH = /\$\$[\s\S]+?\$\$|\\\(|\\\[|\\begin\{|(?:^|[^\\$])\$[^\s$](?:[^$\n]*[^\s\\$])?\$/;

/** Markdown without fenced code blocks and code spans, where a `$` is never math. */
function withoutCode(markdown: string): string {
  return markdown.replace(/```[\s\S]*?```/g, " ").replace(/`[^`\n]*`/g, " ");
}

/** Whether a Markdown cell or a Markdown/LaTeX output holds math (the HTML export then needs MathJax). */
export function hasMath(notebook: Notebook): boolean {
  return notebook.cells.some((cell) => {
    if (cell.cell_type === "markdown") return MATH.test(withoutCode(cellSource(cell)));
    return (cell.outputs ?? []).some((output) => {
      const data = (output as { data?: Record<string, unknown> }).data ?? {};
      if ("text/latex" in data) return true;
      const markdown = data["text/markdown"];
      return markdown !== undefined &&
        MATH.test(withoutCode(Array.isArray(markdown) ? markdown.join("") : String(markdown)));
    });
  });
}
