import assert from "node:assert/strict";
import { join } from "node:path";
import { checkLayers, importEdges, LAYERS, layerViolations, unitOf } from "../../lib/check/layers.ts";

Deno.test("unitOf: a lib folder, a lib root file, the folders above lib, anything else", () => {
  assert.equal(unitOf("lib/models/cnn.ts"), "models");
  assert.equal(unitOf("lib/backend/wasm_kernels/sum.ts"), "backend");
  assert.equal(unitOf("lib/config.ts"), "config");
  assert.equal(unitOf("cli/train.ts"), "above lib");
  assert.equal(unitOf("notebooks/.1_data_exploration.check-1.ts"), "above lib");
  assert.equal(unitOf("deno.json"), undefined);
});

Deno.test("layerViolations: an import against the order names both files, the line and the order", () => {
  const [problem, ...rest] = layerViolations([
    { from: "lib/models/saved.ts", to: "lib/genre/history.ts", line: 20 },
  ]);
  assert.equal(rest.length, 0);
  assert.match(
    problem,
    /^lib\/models\/saved\.ts:20 imports lib\/genre\/history\.ts: models \(layer \d+\)/,
  );
  assert.match(problem, /may not import genre/);
  assert.match(problem, /config → util → /);
});

Deno.test("layerViolations: downward, same-layer and outside-lib imports pass", () => {
  assert.deepEqual(
    layerViolations([
      { from: "lib/genre/fit.ts", to: "lib/models/cnn.ts", line: 1 },
      { from: "lib/genre/fit.ts", to: "lib/genre/history.ts", line: 2 },
      { from: "lib/cli_args.ts", to: "lib/config.ts", line: 3 },
      { from: "cli/train.ts", to: "lib/genre/train.ts", line: 4 },
      { from: "tests/fixtures.ts", to: "lib/dataset/csv.ts", line: 5 },
    ]),
    [],
  );
});

Deno.test("layerViolations: lib importing cli/ or tests/, and a folder in no layer, are errors", () => {
  const problems = layerViolations([
    { from: "lib/dataset/load.ts", to: "tests/fixtures.ts", line: 7 },
    { from: "lib/newthing/a.ts", to: "lib/config.ts", line: 1 },
    { from: "lib/dataset/load.ts", to: "lib/other/b.ts", line: 9 },
  ]);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /lib\/dataset\/load\.ts:7 imports tests\/fixtures\.ts: lib\/ may not import/);
  assert.match(problems[1], /lib\/newthing is in no layer: add it to LAYERS/);
  assert.match(problems[2], /lib\/other is in no layer/);
});

Deno.test("layerViolations: a two-folder circle is caught whichever way round the order goes", () => {
  const circle = [
    { from: "lib/dataset/exploration.ts", to: "lib/plots/charts.ts", line: 14 },
    { from: "lib/plots/figure.ts", to: "lib/dataset/files.ts", line: 3 },
  ];
  assert.equal(layerViolations(circle).length, 1);
  assert.equal(layerViolations(circle, [...LAYERS].reverse()).length, 1);
});

Deno.test("checkLayers: reads real imports (type-only included) from a project folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "posterlab-layers-test-" });
  try {
    await Deno.mkdir(join(root, "lib", "models"), { recursive: true });
    await Deno.mkdir(join(root, "lib", "training"), { recursive: true });
    await Deno.writeTextFile(
      join(root, "lib", "training", "history.ts"),
      "export interface R { a: number }\n",
    );
    await Deno.writeTextFile(
      join(root, "lib", "models", "saved.ts"),
      '// a comment: import "../genre/history.ts" does not count\n' +
        'import type { R } from "../genre/history.ts";\nexport const r: R = { a: 1 };\n',
    );
    const edges = await importEdges(["lib/models/saved.ts"], root);
    assert.deepEqual(edges, [{ from: "lib/models/saved.ts", to: "lib/genre/history.ts", line: 2 }]);
    const problems = await checkLayers(root);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^lib\/models\/saved\.ts:2 imports lib\/genre\/history\.ts/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkLayers: this project's lib/ imports one way", async () => {
  assert.deepEqual(await checkLayers(), []);
});
