import assert from "node:assert/strict";
import { join } from "node:path";
import { buildReports, listNotebooks } from "../../lib/report/build.ts";

async function notebooksDir(names: string[], parameters = 'const dataDir = "data";'): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const name of names) {
    await Deno.writeTextFile(
      join(dir, name),
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: "deno", display_name: "Deno" } },
        cells: [{ cell_type: "code", source: parameters, metadata: { tags: ["parameters"] }, outputs: [] }],
      }),
    );
  }
  return dir;
}

Deno.test("listNotebooks sorts by name and finds a notebook by name or number", async () => {
  const dir = await notebooksDir(["2_training.ipynb", "1_data.ipynb", "10_extra.ipynb"]);
  try {
    assert.deepEqual(
      (await listNotebooks(dir)).map((p) => p.slice(dir.length + 1)),
      ["10_extra.ipynb", "1_data.ipynb", "2_training.ipynb"],
    );
    assert.deepEqual(
      (await listNotebooks(dir, ["2", "1_data.ipynb", "10_extra"])).map((p) => p.slice(dir.length + 1)),
      ["2_training.ipynb", "1_data.ipynb", "10_extra.ipynb"],
    );
    await assert.rejects(listNotebooks(dir, ["3"]), /No notebook "3" in .*there are: 10_extra\.ipynb/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildReports rejects a parameter no notebook declares before running anything", async () => {
  const dir = await notebooksDir(["1_a.ipynb"]);
  try {
    await assert.rejects(
      buildReports({ notebooksDir: dir, parameters: { epochs: 1 }, log: () => {} }),
      /No notebook declares parameter epochs; declared: dataDir/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildReports reports a notebook whose dataset folder is empty as failed, with the fix", async () => {
  const dir = await notebooksDir(["1_a.ipynb"]);
  try {
    const results = await buildReports({ notebooksDir: dir, reportsDir: join(dir, "out"), log: () => {} });
    assert.equal(results.length, 1);
    assert.equal(results[0].ok, false);
    assert.match(results[0].error!, /has no MovieGenre\.csv.*deno task data --from/s);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
