import assert from "node:assert/strict";
import { headerRows, reportHeaderHtml } from "../../lib/report/header.ts";
import type { ReportProvenance } from "../../lib/report/provenance.ts";

const provenance: ReportProvenance = {
  title: "4 · Generating posters <with> a DCGAN",
  date: "2026-12-01T22:31:05.123Z",
  code: { commit: "a31dad9395e7810a26c6dab1a9eecfa2c680ef72", uncommittedChanges: true },
  dataset: {
    folder: "/data/posters",
    csvRows: 25246,
    movies: 25240,
    posterFiles: 10329,
    resized: { "30": 10322, "60": 12 },
  },
  backends: ["wasm (TensorFlow.js 4.22.0)"],
  machine: { cpu: "AMD EPYC", cores: 2, memoryGiB: 24, target: "x86_64-unknown-linux-gnu", deno: "2.9.6" },
  parameters: [
    { name: "epochs", value: "1", declared: "2", by: "--small" },
    { name: "limit", value: "64", declared: "1000", by: "--small" },
    { name: "dataDir", value: '"/data/posters"', declared: '"../data"', by: "--set" },
  ],
};

Deno.test("headerRows says which code, data, backend, machine and parameters made the report", () => {
  const rows = Object.fromEntries(headerRows(provenance));
  assert.equal(rows.Date, "2026-12-01 22:31 UTC");
  assert.equal(rows.Code, "commit a31dad9395e7810a26c6dab1a9eecfa2c680ef72 with uncommitted changes");
  assert.equal(
    rows.Dataset,
    "/data/posters: 25,246 CSV rows, 25,240 movies, 10,329 poster files; resized posters: ratio 30: 10,322, ratio 60: 12",
  );
  assert.equal(rows.Backend, "wasm (TensorFlow.js 4.22.0)");
  assert.equal(rows.Machine, "AMD EPYC, 2 cores, 24 GiB, x86_64-unknown-linux-gnu, Deno 2.9.6");
  assert.equal(
    rows.Parameters,
    '--small: epochs = 1 (notebook: 2), limit = 64 (notebook: 1000); --set: dataDir = "/data/posters" (notebook: "../data")',
  );
});

Deno.test("headerRows without git, dataset, backend or changed parameters says so", () => {
  const rows = Object.fromEntries(headerRows({
    ...provenance,
    code: { uncommittedChanges: false },
    dataset: undefined,
    backends: [],
    parameters: [],
  }));
  assert.equal(rows.Code, "not a git checkout (commit unknown)");
  assert.equal(rows.Dataset, undefined);
  assert.match(rows.Backend, /^none/);
  assert.equal(rows.Parameters, "as in the notebook");
});

Deno.test("reportHeaderHtml escapes text", () => {
  const html = reportHeaderHtml(provenance);
  assert.match(html, /^<header class="posterlab-report-header">/);
  assert.ok(html.includes("Generating posters &lt;with&gt; a DCGAN"));
  assert.ok(html.includes("dataDir = &quot;/data/posters&quot;"));
  assert.ok(!html.includes("<with>"));
});
