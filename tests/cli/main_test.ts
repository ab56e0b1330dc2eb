/** `deno task main --quick` (cli/main.ts) run as a subprocess on a fixture folder: import, train v4, evaluate. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeFixtureDataDir } from "../fixtures.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("main --from DIR --quick imports, trains the recommended v4 on a few posters and evaluates just it", async () => {
  const { dataDir: source } = await makeFixtureDataDir({ movies: 60 });
  const work = await Deno.makeTempDir();
  const dataDir = join(work, "data"), savedModels = join(work, "saved_models");
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli/main.ts",
      "--from",
      source,
      "--quick",
      "--data-dir",
      dataDir,
      "--ratio",
      "10",
      "--saved-models",
      savedModels,
      "--backend",
      "wasm",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout), stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.match(stderr, /=== 2\/3 train: deno task train .*--version 4 --limit 300 --epochs 2/);
  const name = "genres7_ratio10_v4_e2_1977-2017_bce_limit300";
  assert.match(stdout, new RegExp(`saved ${savedModels}/${name} \\(backend wasm\\)`));
  assert.match(stdout, new RegExp(`== ${name} ==  \\(\\d+ posters judged: test split of ${dataDir}`));
  assert.match(stdout, /not in this data \(43 of 43 named titles\): Pearl Harbor, /);
  assert.deepEqual(
    [...Deno.readDirSync(savedModels)].map((e) => e.name),
    [name],
    "only the model it trained",
  );
  await Deno.remove(work, { recursive: true });
  await Deno.remove(source, { recursive: true });
});
