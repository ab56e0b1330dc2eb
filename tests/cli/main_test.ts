/**
 * `deno task main --quick` (cli/main.ts) run as a subprocess on a fixture folder: import, train v4 and
 * evaluate it, the three steps in that one process.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { finished, makeFixtureDataDir, startCli } from "../fixtures.ts";

/** `deno task main ...args` in the folder `cwd` (where its runs/ go). */
function main(cwd: string, ...args: string[]): Deno.ChildProcess {
  return startCli("main", cwd, ...args);
}

Deno.test("main --from DIR --quick imports, trains the recommended v4 on a few posters and evaluates just it", async () => {
  const { dataDir: source } = await makeFixtureDataDir({ movies: 60 });
  const work = await Deno.makeTempDir();
  const dataDir = join(work, "data"), modelsDir = join(work, "saved_models");
  const { code, stdout, stderr } = await finished(main(
    work,
    "--from",
    source,
    "--quick",
    "--data-dir",
    dataDir,
    "--ratio",
    "10",
    "--models-dir",
    modelsDir,
    "--backend",
    "wasm",
  ));
  assert.equal(code, 0, stderr);
  assert.match(stderr, /=== 1\/3 data: import .* into .*, resized for ratio 10 \(1977-2017\)/);
  assert.match(stdout, /imported .*: 60 rows, 60 poster files; 60 copied/);
  assert.match(stdout, /resize 10% → 18x27 RGB PNG: \d+ written/);
  // The recommended version and QUICK_RUN's limit and epochs, without any flag asking for them.
  assert.match(stderr, /=== 2\/3 train: version 4, 2 epochs, at most 300 posters per split/);
  const name = "genres7_ratio10_v4_e2_1977-2017_bce_limit300_year_rating";
  assert.match(stdout, new RegExp(`saved ${modelsDir}/${name} \\(backend wasm\\)`));
  assert.match(stdout, new RegExp(`training curves: ${modelsDir}/${name}/curves.png`));
  assert.match(stderr, new RegExp(`=== 3/3 evaluate: ${name} on the test split of ${dataDir}`));
  assert.match(stdout, new RegExp(`== ${name} ==  \\(\\d+ posters judged: test split of ${dataDir}`));
  assert.match(stdout, /mean average precision/);
  assert.match(stdout, /not in this data \(43 of 43 named titles\): Pearl Harbor, /);
  assert.deepEqual(
    [...Deno.readDirSync(modelsDir)].map((e) => e.name),
    [name],
    "only the model it trained",
  );
  // The evaluation stored its test figures beside the model it just trained.
  const metadata = JSON.parse(await Deno.readTextFile(join(modelsDir, name, "metadata.json")));
  assert.equal(metadata.model.version, 4);
  assert.equal(typeof metadata.test.model.meanAveragePrecision, "number");
  assert.ok(await Deno.stat(join(modelsDir, name, "model.json")));
  await Deno.remove(work, { recursive: true });
  await Deno.remove(source, { recursive: true });
});

Deno.test("main: Ctrl-C in the train step writes a checkpoint and exits 130; --resume finishes and evaluates", async () => {
  const work = await Deno.makeTempDir();
  await makeFixtureDataDir({ movies: 40, ratio: 30, dir: join(work, "data") });
  const flags = [
    "--version",
    "1",
    "--genres",
    "3",
    "--batch",
    "2",
    "--checkpoint-every",
    "1",
    "--backend",
    "wasm",
  ];
  try {
    const child = main(work, ...flags, "--epochs", "20");
    const state = join(work, "runs/cnn/genres3_ratio30_v1_1977-2017_bce/checkpoint/state.json");
    const deadline = Date.now() + 120_000;
    while (!(await Deno.stat(state).then(() => true, () => false)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const stopped = await finished(child);
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(
      stopped.stderr,
      /Training stopped .*; checkpoint in .*: rerun with --resume/,
    );
    assert.doesNotMatch(stopped.stderr, /=== 3\/3 evaluate/);

    const resumed = await finished(main(work, ...flags, "--epochs", "1", "--resume"));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resume: continuing /);
    assert.match(
      resumed.stdout,
      /== genres3_ratio30_v1_e1_1977-2017_bce == {2}\(\d+ posters judged: test split/,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
