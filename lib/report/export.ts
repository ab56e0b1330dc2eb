/**
 * Exports an executed notebook: HTML with nbconvert, then PDF by printing that HTML with headless
 * Chromium.
 *
 * The HTML comes from report.html.j2 (nbconvert's "lab" template without require.js, and without
 * MathJax unless the notebook has math), so it is the same document on any machine and Chromium
 * prints it with no "Loading [MathJax]" status box.
 *
 * Why not nbconvert's own PDF: `--to webpdf` needs pyppeteer (not in Debian) and `--to pdf` needs
 * ~600 MB of TeX and drops `text/html` outputs, which is how the plots are shown (see
 * lib/plots/figure.ts). Chromium prints the HTML export as it looks in a browser.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CHROMIUM_FLAGS } from "../config.ts";
import { removeStaleTempFiles, writeFileAtomic } from "../util/files.ts";
import { REPORT_HEADER_CSS } from "./header.ts";
import { hasMath, readNotebook } from "./notebook.ts";
import { findChromium, findPython } from "./tools.ts";

const TEMPLATE = fileURLToPath(new URL("./report.html.j2", import.meta.url));

/** Virtual milliseconds Chromium lets a page work before printing it. */
const PRINT_WAIT_MS = 30_000;

/** Styles added to the HTML export: white page, no figure split across printed pages. */
const REPORT_CSS = `<style>
  body { background: #fff; }
  .posterlab-figure svg { max-width: 100%; height: auto; }
  .jp-OutputArea-output img { max-width: 100%; }
  table.posterlab-table { border-collapse: collapse; font-size: 11px; margin: 4px 0; max-width: 100%; }
  table.posterlab-table th, table.posterlab-table td { border: 1px solid #ddd; padding: 2px 6px; }
  /* Long names (a saved model's) may break anywhere; numbers and headers never mid-word. */
  table.posterlab-table td:first-child { overflow-wrap: anywhere; }
  table.posterlab-table td { text-align: left; }
  table.posterlab-table th { background: #f4f4f4; }
${REPORT_HEADER_CSS}  @media print {
    .jp-OutputArea-output { overflow: visible !important; }
    .jp-OutputArea-output pre { font-size: 9px; }
    .jp-Cell-outputWrapper img, .jp-Cell-outputWrapper svg, table.posterlab-table { break-inside: avoid; }
    .jp-InputArea pre { white-space: pre-wrap; word-break: break-all; }
  }
</style>`;

/** Runs a program; throws with its output when it fails. */
async function run(command: string, args: string[], what: string): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (code !== 0) {
    const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
    throw new Error(
      `${what} failed (${command} exited with ${code}):\n${text.trim().split("\n").slice(-15).join("\n")}`,
    );
  }
}

/** What {@linkcode exportHtml} adds to the notebook's own content. */
export interface HtmlOptions {
  /** HTML put at the top of the body (the report header, see header.ts). */
  header?: string;
  /** The document's title (default: the file name). */
  title?: string;
}

/**
 * Converts an executed notebook to a standalone HTML file (images embedded) at `htmlPath`. The file
 * references nothing outside itself unless the notebook has math (then MathJax, where nbconvert finds
 * it).
 */
export async function exportHtml(
  notebookPath: string,
  htmlPath: string,
  options: HtmlOptions = {},
): Promise<void> {
  const python = await findPython();
  const notebook = await readNotebook(notebookPath);
  // Temp files of an export that was killed (this file's or another's, HTML or PDF) go first.
  await removeStaleTempFiles(dirname(resolve(htmlPath)));
  const dir = await Deno.makeTempDir({ prefix: "posterlab-html-" });
  try {
    const name = basename(htmlPath).replace(/\.html$/, "");
    // The template reads these from the copy it converts; the executed notebook itself stays as run.
    const input = join(dir, `${name}.ipynb`);
    const metadata = {
      ...notebook.metadata,
      ...(options.title ? { title: options.title } : {}),
      posterlab: {
        ...notebook.metadata.posterlab,
        export: { math: hasMath(notebook), header: options.header ?? "" },
      },
    };
    await Deno.writeTextFile(input, JSON.stringify({ ...notebook, metadata }));
    await run(
      python,
      [
        "-m",
        "nbconvert",
        "--to",
        "html",
        "--template",
        "lab",
        "--template-file",
        TEMPLATE,
        "--output-dir",
        join(dir, "out"),
        "--output",
        name,
        input,
      ],
      `HTML export of ${notebookPath}`,
    );
    const html = await Deno.readTextFile(join(dir, "out", `${name}.html`));
    await writeFileAtomic(
      htmlPath,
      new TextEncoder().encode(html.replace("</head>", `${REPORT_CSS}\n</head>`)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Prints `htmlPath` to `pdfPath` with headless Chromium (A4, no header or footer). */
export async function exportPdf(htmlPath: string, pdfPath: string): Promise<void> {
  const chromium = await findChromium();
  await removeStaleTempFiles(dirname(resolve(pdfPath)));
  // A fresh profile each time: no first-run state, no lock held by another Chromium.
  const profile = await Deno.makeTempDir({ prefix: "posterlab-chromium-" });
  const tmp = join(dirname(resolve(pdfPath)), `.${basename(pdfPath)}.tmp-${Deno.pid}`);
  try {
    await run(chromium, [
      "--headless",
      ...CHROMIUM_FLAGS,
      "--no-pdf-header-footer",
      // Print once the page is done (scripts, timers, fonts), not at the load event: with MathJax that
      // is when typesetting ends; a page without scripts is done at once and costs nothing.
      `--virtual-time-budget=${PRINT_WAIT_MS}`,
      `--user-data-dir=${profile}`,
      `--print-to-pdf=${tmp}`,
      pathToFileURL(resolve(htmlPath)).href,
    ], `PDF export of ${htmlPath}`);
    await Deno.stat(tmp).catch(() => {
      throw new Error(`PDF export of ${htmlPath}: Chromium exited without writing ${tmp}.`);
    });
    await Deno.rename(tmp, pdfPath);
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    await Deno.remove(tmp).catch(() => {});
  }
}
