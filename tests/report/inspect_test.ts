import assert from "node:assert/strict";
import { reportProblems } from "../../lib/report/inspect.ts";
import type { Notebook } from "../../lib/report/notebook.ts";

function notebook(outputs: unknown[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: "code", source: "x", metadata: {}, outputs }],
  };
}

Deno.test("reportProblems passes a finished report", () => {
  const nb = notebook([
    { output_type: "stream", name: "stdout", text: ["backend: wasm\n"] },
    { output_type: "display_data", data: { "text/plain": "dcgan: epoch 1 quality" } },
  ]);
  const html = '<html><body><img src="data:image/png;base64,AAAA"><a href="#top">top</a></body></html>';
  const pdfText = "4 · Generating posters\nLoading the posters takes a second.\n";
  assert.deepEqual(reportProblems({ notebook: nb, html, pdfText }), []);
});

Deno.test("reportProblems names stderr blocks, scripts, local files and loader lines", () => {
  const nb = notebook([{ output_type: "stream", name: "stderr", text: ["\ndcgan: epoch 0 quality: 2.1\n"] }]);
  const html = '<script src="file:///usr/share/javascript/mathjax/MathJax.js?config=TeX"></script>';
  const pdfText =
    "In [1]:\nLoading [MathJax]/extensions/Safe.js\ntext\nLoading [MathJax]/jax/output/CommonHTML/fonts/TeX/fontdata.js\n";
  assert.deepEqual(reportProblems({ notebook: nb, html, pdfText }), [
    'cell 1 has a stderr block: "dcgan: epoch 0 quality: 2.1"',
    "the HTML has scripts",
    "the HTML loads file:///usr/share/javascript/mathjax/MathJax.js?config=TeX from the machine that wrote it",
    'the PDF has 2 loader or status line(s), e.g. "Loading [MathJax]/extensions/Safe.js"',
  ]);
});
