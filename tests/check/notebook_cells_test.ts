import assert from "node:assert/strict";
import { type ExtractedNotebook, mapLocations, notebookModule } from "../../lib/check/notebook_cells.ts";

Deno.test("notebookModule puts cells in order, each after a `// cell N` line", () => {
  const module = notebookModule([{ index: 1, source: "const a = 1;" }, {
    index: 3,
    source: "a;\nconst b = a;",
  }], "x.ipynb");
  const lines = module.text.split("\n");
  assert.deepEqual(module.cells, [{ cell: 2, firstLine: 3 }, { cell: 4, firstLine: 5 }]);
  assert.equal(lines[1], "// cell 2");
  assert.equal(lines[module.cells[1].firstLine - 1], "a;");
});

Deno.test("mapLocations turns module positions into notebook cell and line", () => {
  const extracted: ExtractedNotebook = {
    notebook: "notebooks/1_x.ipynb",
    file: "notebooks/.1_x.check-1.ts",
    cells: [{ cell: 2, firstLine: 3 }, { cell: 4, firstLine: 5 }],
  };
  const absolute = `file://${Deno.cwd()}/notebooks/.1_x.check-1.ts`;
  assert.equal(
    mapLocations(`error at ${absolute}:6:7 and notebooks/.1_x.check-1.ts:3`, [extracted]),
    "error at notebooks/1_x.ipynb, cell 4, line 2:7 and notebooks/1_x.ipynb, cell 2, line 1",
  );
  assert.equal(mapLocations("lib/a.ts:3:1", [extracted]), "lib/a.ts:3:1");
});
