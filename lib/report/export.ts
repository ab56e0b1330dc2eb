/**
 * Exports an executed notebook: HTML with nbconvert, then PDF by printing that HTML with headless
 * Chromium.
 *
 * Why not nbconvert's own PDF: `--to webpdf` needs pyppeteer (not in Debian) and `--to pdf` needs
 * ~600 MB of TeX and drops `text/html` outputs, which is how the plots are shown (see
 * lib/plots/figure.ts). Chromium prints the HTML export as it looks in a browser.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileAtomic } from "../util/files.ts";
import { findChromium, findPython } from "./tools.ts";

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
  @media print {
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

/** Converts an executed notebook to a standalone HTML file (images embedded) at `htmlPath`. */
export async function exportHtml(notebookPath: string, htmlPath: string): Promise<void> {
  const python = await findPython();
  const dir = await Deno.makeTempDir({ prefix: "posterlab-html-" });
  try {
    const name = basename(htmlPath).replace(/\.html$/, "");
    await run(
      python,
      ["-m", "nbconvert", "--to", "html", "--output-dir", dir, "--output", name, resolve(notebookPath)],
      `HTML export of ${notebookPath}`,
    );
    const html = await Deno.readTextFile(join(dir, `${name}.html`));
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
  // A fresh profile each time: no first-run state, no lock held by another Chromium.
  const profile = await Deno.makeTempDir({ prefix: "posterlab-chromium-" });
  const tmp = join(dirname(resolve(pdfPath)), `.${basename(pdfPath)}.tmp-${Deno.pid}`);
  try {
    await run(chromium, [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--no-pdf-header-footer",
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
