/** `deno task train` as a subprocess: Ctrl-C writes a checkpoint, `--resume` (with more epochs) finishes. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { finished, makeFixtureDataDir, startCli } from "../fixtures.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
// The original's small network (train's default is the recommended v4).
const FLAGS = [
  "--version",
  "1",
  "--genres",
  "3",
  "--ratio",
  "30",
  "--batch",
  "2",
  "--checkpoint-every",
  "1",
  "--backend",
  "wasm",
];
const RUN = "runs/cnn/genres3_ratio30_v1_1977-2017_bce";

function train(cwd: string, ...args: string[]): Deno.ChildProcess {
  return startCli("train", cwd, ...FLAGS, ...args);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("deno task train: Ctrl-C checkpoints and exits 130; --resume without one is an error; --resume --epochs finishes", async () => {
  const cwd = await Deno.makeTempDir();
  await makeFixtureDataDir({ movies: 40, ratio: 30, dir: join(cwd, "data") });
  try {
    const nothing = await finished(train(cwd, "--epochs", "1", "--resume"));
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, new RegExp(`Nothing to resume in ${RUN}: it has no checkpoint`));

    // SIGINT once the first in-epoch checkpoint exists: the run writes another and stops.
    const child = train(cwd, "--epochs", "500");
    const state = join(cwd, RUN, "checkpoint", "state.json");
    const deadline = Date.now() + 120_000;
    while (!(await exists(state)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // A second run of the same folder while the first trains, resumed or not: refused, naming its PID.
    const locked = await finished(train(cwd, "--epochs", "500", "--resume"));
    assert.equal(locked.code, 1, locked.stderr);
    assert.match(locked.stderr, new RegExp(`${RUN} is in use: process ${child.pid} has been training in it`));
    child.kill("SIGINT");
    const stopped = await finished(child);
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(
      stopped.stderr,
      /Training stopped at step \d+ \(epoch 1, after batch \d+\); checkpoint in .*: rerun with --resume/,
    );
    const saved = JSON.parse(await Deno.readTextFile(state));
    assert.equal(saved.position.epoch, 0);
    assert.ok(saved.position.batchInEpoch >= 1);

    const refused = await finished(train(cwd, "--epochs", "500"));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already holds a run: add --resume to continue it/);

    // The epochs may change on resume: the interrupted 20-epoch run ends as a 1-epoch model.
    const resumed = await finished(train(cwd, "--epochs", "1", "--resume"));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resume: continuing .* at step \d+ \(in epoch 1 after batch \d+\)/);
    assert.ok(await exists(join(cwd, "saved_models/genres3_ratio30_v1_e1_1977-2017_bce/model.json")));
    assert.equal(await exists(join(cwd, RUN)), false, "the run folder goes once the model is saved");

    // The same flags again: refused before anything loads, naming the folder and the ways out.
    const model = "saved_models/genres3_ratio30_v1_e1_1977-2017_bce";
    const savedAt = JSON.parse(await Deno.readTextFile(join(cwd, model, "metadata.json"))).savedAt;
    const again = await finished(train(cwd, "--epochs", "1"));
    assert.equal(again.code, 1, again.stderr);
    assert.match(
      again.stderr,
      new RegExp(
        `${model} already holds a saved model \\(trained .*\\): add --force to replace it, or --name NAME`,
      ),
    );
    assert.doesNotMatch(again.stderr, /backend|epoch 1/, "before the backend or the data load");
    const forced = await finished(train(cwd, "--epochs", "1", "--force"));
    assert.equal(forced.code, 0, forced.stderr);
    const replaced = JSON.parse(await Deno.readTextFile(join(cwd, model, "metadata.json"))).savedAt;
    assert.notEqual(replaced, savedAt, "--force replaced it");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("deno task train, evaluate, compare, check and setup refuse arguments they don't know (exit 2)", async () => {
  const cwd = await Deno.makeTempDir();
  const run = async (cli: string, ...args: string[]) => {
    const path = new URL(`../../cli/${cli}.ts`, import.meta.url).pathname;
    return await finished(
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", CONFIG, path, ...args],
        cwd,
        stdout: "piped",
        stderr: "piped",
      }).spawn(),
    );
  };
  try {
    // `train -e 3` trained the default model for minutes.
    const short = await run("train", "-e", "3");
    assert.equal(short.code, 2, short.stderr);
    assert.match(short.stderr, /^error: Unknown flag -e: flags are long, e\.g\. --epochs 3/);
    const stray = await run("train", "--epochs", "3", "again");
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /Unexpected argument "again": this command takes only flags/);
    const threads = await run("train", "--threads", "999");
    assert.equal(threads.code, 2);
    assert.match(threads.stderr, /--threads 999 is more than the \d+ cores of this machine/);
    const escape = await run("train", "--name", "../x");
    assert.equal(escape.code, 2);
    assert.match(escape.stderr, /--name "\.\.\/x" may not contain \//);
    for (
      const [cli, ...args] of [["evaluate", "-e", "3"], ["compare", "stray"], ["check", "x"], ["setup", "x"]]
    ) {
      const refused = await run(cli, ...args);
      assert.equal(refused.code, 2, `${cli}: ${refused.stderr}`);
      assert.match(refused.stderr, /Unknown flag -e|Unexpected argument/);
    }
    assert.deepEqual([...Deno.readDirSync(cwd)], [], "none of them wrote anything");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
