/**
 * Reads an exported report the way a person would and lists what makes it look unfinished: stderr
 * blocks between the outputs, scripts or files of the machine that made the HTML, loader or status
 * text printed into the PDF.
 *
 * @example
 * ```ts
 * import { reportProblems } from "./inspect.ts";
 * const notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] };
 * reportProblems({ notebook, html: "<html></html>", pdfText: "Loading [MathJax]/extensions/Safe.js" });
 * // ["the PDF has 1 loader or status line(s), e.g. \"Loading [MathJax]/extensions/Safe.js\""]
 * ```
 *
 * @module
 */
import type { Notebook } from "./notebook.ts";

/** What {@linkcode reportProblems} reads. */
export interface ExportedReport {
  /** The executed notebook. */
  notebook: Notebook;
  /** Its HTML export. */
  html: string;
  /** The PDF's text (pdftotext), when it could be read. */
  pdfText?: string;
}

/** Lines that loaders print while a page is still rendering. */
const LOADER_LINE = /\bLoading\b.*(?:\[|\.js|…|\.\.\.)|MathJax/i;

/** The problems of a report, each a sentence naming where it is; empty when it reads as finished. */
export function reportProblems({ notebook, html, pdfText }: ExportedReport): string[] {
  const problems: string[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      const { output_type, name, text } = output as { output_type?: string; name?: string; text?: unknown };
      if (output_type !== "stream" || name !== "stderr") continue;
      const first = (Array.isArray(text) ? text.join("") : String(text ?? "")).trim().split("\n")[0];
      problems.push(`cell ${index + 1} has a stderr block: "${first.slice(0, 120)}"`);
    }
  });
  if (/<script/i.test(html)) problems.push("the HTML has scripts");
  const local = /(?:src|href)\s*=\s*["']?(file:[^"' >]*)/i.exec(html);
  if (local) problems.push(`the HTML loads ${local[1]} from the machine that wrote it`);
  if (pdfText !== undefined) {
    const loaders = pdfText.split("\n").filter((line) => LOADER_LINE.test(line));
    if (loaders.length) {
      problems.push(
        `the PDF has ${loaders.length} loader or status line(s), e.g. "${loaders[0].trim().slice(0, 120)}"`,
      );
    }
  }
  return problems;
}

/** The text of a PDF by `pdftotext -layout` (poppler-utils), or undefined where pdftotext is missing. */
export async function readPdfText(pdfPath: string): Promise<string | undefined> {
  try {
    const { success, stdout } = await new Deno.Command("pdftotext", {
      args: ["-layout", pdfPath, "-"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout) : undefined;
  } catch {
    return undefined; // not installed
  }
}
