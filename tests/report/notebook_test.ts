import assert from "node:assert/strict";
import {
  cellSource,
  declaredParameters,
  literalValue,
  type Notebook,
  readNotebook,
  smallParameters,
  withParameters,
} from "../../lib/report/notebook.ts";

/** A notebook with a parameters cell and small parameters in its metadata. */
function sampleNotebook(
  parameters = 'const dataDir = "../data"; // dataset\nconst limit: number | null = 2000;\nlet epochs = 3;',
): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno" }, posterlab: { small: { limit: 50, epochs: 1 } } },
    cells: [
      { cell_type: "markdown", source: "# Title", metadata: {} },
      {
        cell_type: "code",
        source: parameters,
        metadata: { tags: ["parameters"] },
        outputs: [],
        execution_count: null,
      },
      { cell_type: "code", source: ["console.log(dataDir,\n", " limit);"], metadata: {}, outputs: [] },
    ],
  };
}

Deno.test("declaredParameters reads const/let lines of the parameters cell, type annotations included", () => {
  assert.deepEqual(
    [...declaredParameters(sampleNotebook())],
    [["dataDir", '"../data"'], ["limit", "2000"], ["epochs", "3"]],
  );
});

Deno.test("withParameters rewrites the values, keeps comments and notes what was set", () => {
  const out = withParameters(sampleNotebook(), { dataDir: "/data/x", limit: null });
  const source = cellSource(out.cells[1]);
  assert.equal(
    source,
    '// Set by deno task report: dataDir, limit.\nconst dataDir = "/data/x"; // dataset\n' +
      "const limit: number | null = null;\nlet epochs = 3;",
  );
  assert.equal(cellSource(sampleNotebook().cells[1]).includes("/data/x"), false, "the input is not modified");
});

Deno.test("withParameters rejects a parameter the notebook does not declare, naming the known ones", () => {
  assert.throws(
    () => withParameters(sampleNotebook(), { epoch: 2 }, "nb.ipynb"),
    /nb\.ipynb has no parameter epoch; its parameters cell declares dataDir, limit, epochs/,
  );
  const noParameters = { ...sampleNotebook(), cells: [sampleNotebook().cells[0]] };
  assert.throws(() => withParameters(noParameters, { epochs: 2 }), /no cell tagged "parameters"/);
  assert.equal(withParameters(noParameters, {}), noParameters);
});

Deno.test("smallParameters returns a copy of posterlab.small", () => {
  const notebook = sampleNotebook();
  const small = smallParameters(notebook);
  assert.deepEqual(small, { limit: 50, epochs: 1 });
  small.limit = 1;
  assert.equal(notebook.metadata.posterlab!.small!.limit, 50);
});

Deno.test("readNotebook names the file of a broken notebook", async () => {
  const path = await Deno.makeTempFile({ suffix: ".ipynb" });
  try {
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(readNotebook(path), new RegExp(`${path} is not valid notebook JSON`));
    await Deno.writeTextFile(path, JSON.stringify({ cells: [], nbformat: 3 }));
    await assert.rejects(readNotebook(path), /not an nbformat 4 notebook/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("literalValue reads JSON literals and leaves expressions alone", () => {
  assert.equal(literalValue('"../data"'), "../data");
  assert.equal(literalValue("3000"), 3000);
  assert.equal(literalValue("null"), null);
  assert.equal(literalValue("genreGroup(7)"), undefined);
  assert.equal(literalValue(undefined), undefined);
});

Deno.test("hasMath finds math in Markdown cells and outputs, not dollar amounts or code", async () => {
  const { hasMath } = await import("../../lib/report/notebook.ts");
  const nb = (cells: Record<string, unknown>[]) =>
    ({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: cells.map((c) => ({ metadata: {}, source: "", ...c })),
    }) as Parameters<typeof hasMath>[0];
  const md = (source: string) => nb([{ cell_type: "markdown", source }]);
  assert.equal(hasMath(md("Costs $5 and $10, a `$x` in code text.")), false);
  assert.equal(hasMath(nb([{ cell_type: "code", source: "const price = `$${x}$`;" }])), false);
  assert.equal(hasMath(md("The loss $L = -\\sum y \\log p$ per genre.")), true);
  assert.equal(hasMath(md("$$\nF = \\|\\mu_r - \\mu_g\\|^2\n$$")), true);
  assert.equal(hasMath(md("inline \\(x^2\\)")), true);
  assert.equal(
    hasMath(
      nb([{ cell_type: "code", outputs: [{ output_type: "display_data", data: { "text/latex": "x" } }] }]),
    ),
    true,
  );
});
