/**
 * A report read the way a person reads it: notebook 1 executed with its small parameters on a fixture
 * dataset, exported to HTML and PDF, then the HTML and the PDF's text (pdftotext) checked. Needs Python
 * with nbclient/nbconvert, Chromium and poppler-utils (`.ci/run` installs them); ignored, with the
 * reason printed, where one is missing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReports } from "../../lib/report/build.ts";
import { type Notebook, readNotebook } from "../../lib/report/notebook.ts";
import { findChromium, findPython } from "../../lib/report/tools.ts";
import { makeFixtureDataDir } from "../fixtures.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function works(command: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

const missing = [
  !(await findPython().then(() => true, () => false)) && "Python with nbclient/nbconvert",
  !(await findChromium().then(() => true, () => false)) && "Chromium",
  !(await works("pdftotext", ["-v"])) && "pdftotext (poppler-utils)",
].filter(Boolean);
if (missing.length) console.error(`document_test: ${missing.join(", ")} missing (see .ci/run); ignored.`);

async function text(command: string, args: string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!success) throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

/** The plot outputs of an executed notebook: every output with a PNG (figures also carry their SVG as HTML). */
function plotOutputs(notebook: Notebook): { png: string; html?: string }[] {
  const join = (v: unknown) => Array.isArray(v) ? v.join("") : String(v);
  return notebook.cells.flatMap((cell) =>
    (cell.outputs ?? []).flatMap((output) => {
      const data = (output as { data?: Record<string, unknown> }).data ?? {};
      if (!("image/png" in data)) return [];
      return [{
        png: join(data["image/png"]),
        html: "text/html" in data ? join(data["text/html"]) : undefined,
      }];
    })
  );
}

Deno.test({
  name: "a report exported to HTML and PDF reads as a finished document",
  ignore: missing.length > 0,
  async fn() {
    const { dataDir } = await makeFixtureDataDir({ movies: 60, ratio: 30 });
    const reportsDir = await Deno.makeTempDir({ prefix: "posterlab-document-test-" });
    try {
      const [result] = await buildReports({
        notebooksDir: join(ROOT, "notebooks"),
        reportsDir,
        only: ["1"],
        small: true,
        parameters: { dataDir },
        log: () => {},
      });
      assert.ok(result.ok, result.error ?? "failed");
      assert.deepEqual(result.problems, [], "buildReports found the report unfinished");
      const name = result.name;
      const html = await Deno.readTextFile(join(reportsDir, `${name}.html`));
      const executed = await readNotebook(join(reportsDir, `${name}.ipynb`));

      // The same document on any machine: no scripts, nothing loaded from this machine's disk.
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /MathJax|require(\.min)?\.js/);
      assert.doesNotMatch(html, /(?:src|href)\s*=\s*["']?file:|url\(\s*["']?file:/i);

      // Every plot output is an image in the HTML: its inline SVG, or its PNG where it has no SVG.
      const plots = plotOutputs(executed);
      assert.ok(plots.length >= 8, `notebook 1 should show at least 8 plots, found ${plots.length}`);
      for (const [i, plot] of plots.entries()) {
        if (plot.html) {
          assert.match(plot.html, /<svg/, `plot ${i + 1}: its HTML holds no SVG`);
          assert.ok(html.includes(plot.html), `plot ${i + 1}: its SVG is missing from the HTML`);
        } else {
          assert.ok(
            html.includes(`src="data:image/png;base64,${plot.png}"`),
            `plot ${i + 1}: its PNG is missing`,
          );
        }
      }
      assert.equal(
        (html.match(/class="posterlab-figure"/g) ?? []).length +
          (html.match(/<img src="data:image\/png/g) ?? []).length,
        plots.length,
        "the HTML shows a different number of images than the notebook has plots",
      );

      // The header names the commit, the dataset and the changed parameters, in the HTML and in the PDF.
      const commit = (await text("git", ["-C", ROOT, "rev-parse", "HEAD"])).trim();
      const header = /<header class="posterlab-report-header">[\s\S]*?<\/header>/.exec(html)?.[0] ?? "";
      assert.ok(header.includes(`commit ${commit}`), `the header does not name commit ${commit}:\n${header}`);
      assert.ok(header.includes(`${dataDir}: 60 CSV rows`), header);
      assert.ok(header.includes("--small: posterSample = 40"), header);
      assert.equal(executed.metadata.posterlab?.report?.code.commit, commit);

      // The PDF: no loader or status text, no stderr blocks, and the header is on page 1.
      const pdfText = await text("pdftotext", ["-layout", join(reportsDir, `${name}.pdf`), "-"]);
      const loaderLines = pdfText.split("\n").filter((l) => /Loading|MathJax/i.test(l));
      assert.deepEqual(loaderLines, [], "loader or status lines in the PDF");
      const page1 = await text("pdftotext", ["-f", "1", "-l", "1", join(reportsDir, `${name}.pdf`), "-"]);
      assert.ok(page1.replace(/\s+/g, "").includes(commit), "page 1 of the PDF does not name the commit");
      assert.doesNotMatch(html, /jp-RenderedText[^"]*" data-mime-type="application\/vnd\.jupyter\.stderr"/);
    } finally {
      await Deno.remove(reportsDir, { recursive: true }).catch(() => {});
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
