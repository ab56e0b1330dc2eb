/** `deno task dcgan:prepare`, `dcgan:train` and `dcgan:sample` run as subprocesses on a fixture dataset. */
import assert from "node:assert/strict";
import sharp from "sharp";
import { saveFixtureModel } from "../inference/model_fixture.ts";
import { join } from "node:path";
import { finished, makeFixtureDataDir, startCli } from "../fixtures.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const cli = (name: string) => new URL(`../../cli/${name}.ts`, import.meta.url).pathname;

/** Runs `cli/<name>.ts` in `cwd` (so its runs/ folder lands in a temp dir). */
const run = (cwd: string, name: string, ...args: string[]) => finished(startCli(name, cwd, ...args));

Deno.test("prepare → train (conditional, then resumed) → sample, as the README shows", async () => {
  const cwd = await Deno.makeTempDir();
  await makeFixtureDataDir({ movies: 24, dir: join(cwd, "data") });
  try {
    const prepared = await run(
      cwd,
      "dcgan_prepare",
      "--min-year",
      "1996",
      "--exclude-genres",
      "Comedy",
      "--ratio",
      "10",
      "--size",
      "8x12",
    );
    assert.equal(prepared.code, 0, prepared.stderr);
    assert.match(
      prepared.stdout,
      /^\d+ posters \(8x12 RGB\) in data\/gan\/y1996-2017_ex-Comedy_r10_8x12\.rgb/,
    );
    const train = [
      "--size",
      "8x12",
      "--filters",
      "4",
      "--batch",
      "4",
      "--backend",
      "cpu",
      "--conditional",
      "--no-quality",
    ];
    const first = await run(
      cwd,
      "dcgan_train",
      ...train,
      "--epochs",
      "1",
      "--rows",
      "2",
      "--columns",
      "2",
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /runs\/dcgan\/cdcgan8x12: \d+ steps, 1 epochs, .* on cpu/);
    const refused = await run(cwd, "dcgan_train", ...train, "--epochs", "2");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already holds a run: add --resume/);
    const resumed = await run(cwd, "dcgan_train", ...train, "--epochs", "2", "--resume");
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /2 epochs/);
    const sampled = await run(
      cwd,
      "dcgan_sample",
      "--genre",
      "Sci-Fi",
      "--decade",
      "1990",
      "--count",
      "4",
      "--name",
      "cdcgan8x12",
      "--backend",
      "cpu",
    );
    assert.equal(sampled.code, 0, sampled.stderr);
    const png = join(cwd, "runs/dcgan/cdcgan8x12/samples/Sci-Fi_1990s_seed1.png");
    assert.deepEqual(
      [(await sharp(png).metadata()).width, (await sharp(png).metadata()).height],
      [2 * (8 + 2) + 2, 2 * (12 + 2) + 2],
    );
    // One PNG per poster for deno task fid: conditions from the run's own training posters.
    const sampleTo = (...extra: string[]) =>
      run(
        cwd,
        "dcgan_sample",
        "--out-dir",
        "gen",
        "--count",
        "5",
        "--name",
        "cdcgan8x12",
        "--backend",
        "cpu",
        ...extra,
      );
    const folder = await sampleTo();
    assert.equal(folder.code, 0, folder.stderr);
    assert.match(
      folder.stdout,
      /^generator: run runs\/dcgan\/cdcgan8x12 \(its weight average after \d+ steps\)\nposters: each the best of 8 draws \(the discriminator's classifier chose\), truncation 0\.8\n5 posters \(8x12, the genres and decades of random posters of y1996-2017_ex-Comedy_r10_8x12\)/,
    );
    const written = [...Deno.readDirSync(join(cwd, "gen"))].map((e) => e.name).sort();
    assert.deepEqual(written, [1, 2, 3, 4, 5].map((i) => `poster_000${i}.png`));
    const poster = await sharp(join(cwd, "gen", written[0])).metadata();
    assert.deepEqual([poster.width, poster.height, poster.format], [8, 12, "png"]);
    const before = await Deno.readFile(join(cwd, "gen", written[0]));
    const refusedDir = await sampleTo();
    assert.equal(refusedDir.code, 1);
    assert.match(refusedDir.stderr, /gen already holds 5 images .*: give an empty or new folder, or --force/);
    const forced = await sampleTo("--force", "--genre", "Horror", "--decade", "2000", "--seed", "3");
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /Horror of the 2000s/);
    assert.notDeepEqual(await Deno.readFile(join(cwd, "gen", written[0])), before, "overwritten");
    // The quality figures of posters as sampled, the run's own way, written nowhere: as drawn they are the
    // run's last epoch's (--quality-only, judged by the same small saved CNN); the best of 4 differs.
    await saveFixtureModel(join(cwd, "saved_models"), "judge", { heads: true });
    const judged = ["--name", "cdcgan8x12", "--backend", "cpu", "--quality-model", "judge"];
    const measure = (...extra: string[]) => run(cwd, "dcgan_sample", "--quality", ...judged, ...extra);
    const remeasured = await run(cwd, "dcgan_train", "--quality-only", ...judged);
    assert.equal(remeasured.code, 0, remeasured.stderr);
    const asDrawn = await measure("--candidates", "1", "--truncation", "1");
    assert.equal(asDrawn.code, 0, asDrawn.stderr);
    assert.match(asDrawn.stdout, /posters: one draw each, truncation 1\nFréchet distance [\d.]+ \(floor/);
    const metadata = JSON.parse(await Deno.readTextFile(join(cwd, "runs/dcgan/cdcgan8x12/metadata.json")));
    const last = metadata.quality.at(-1);
    assert.match(asDrawn.stdout, new RegExp(`Fréchet distance ${last.frechetDistance} `));
    assert.match(asDrawn.stdout, /asked genre on top, per genre: \w+ [\d.]+ \(real [\d.]+\)/);
    const best = await measure("--candidates", "4");
    assert.equal(best.code, 0, best.stderr);
    assert.match(best.stdout, /each the best of 4 draws .*truncation 0\.8\n/);
    assert.doesNotMatch(best.stdout, new RegExp(`Fréchet distance ${last.frechetDistance} `));
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(join(cwd, "runs/dcgan/cdcgan8x12/metadata.json"))),
      metadata,
      "--quality writes nothing",
    );
    const bad = await run(cwd, "dcgan_train", "--size", "48x64");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--size: DCGAN size 48x64 is not supported/);
    const loss = await run(cwd, "dcgan_train", "--loss", "wgan");
    assert.equal(loss.code, 2);
    assert.match(loss.stderr, /--loss wgan is unknown: use bce or hinge/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("Ctrl-C during dcgan:train stops within a step or two, with a checkpoint to resume from", async () => {
  const cwd = await Deno.makeTempDir();
  await makeFixtureDataDir({ movies: 80, dir: join(cwd, "data") });
  try {
    const prepared = await run(cwd, "dcgan_prepare", "--ratio", "10", "--size", "8x12");
    assert.equal(prepared.code, 0, prepared.stderr);
    const count = Number(/^(\d+) posters/.exec(prepared.stdout)?.[1]);
    const stepsPerEpoch = Math.floor(count / 2);
    assert.ok(stepsPerEpoch >= 20, `${count} posters make too short an epoch for this test`);
    // No grid or checkpoint before the epoch ends: before the loop yielded each step, a stop request
    // waited for the next file write, so this run would have stopped at the epoch's end.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        CONFIG,
        cli("dcgan_train"),
        ...["--size", "8x12", "--filters", "4", "--batch", "2", "--epochs", "20", "--backend", "cpu"],
        ...["--no-quality", "--sample-rate", "100000", "--checkpoint-every", "0", "--name", "stop"],
      ],
      cwd,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let stderr = "";
    const decoder = new TextDecoder();
    let signalled = false;
    for await (const chunk of child.stderr) {
      stderr += decoder.decode(chunk, { stream: true });
      // The progress bar's first line comes after the first step.
      if (!signalled && /steps/.test(stderr)) {
        child.kill("SIGINT");
        signalled = true;
      }
    }
    const status = await child.status;
    await child.stdout.cancel();
    assert.ok(signalled, stderr);
    assert.equal(status.code, 130, stderr);
    assert.match(stderr, /DCGAN training stopped at step \d+ .*checkpoint in runs\/dcgan\/stop\/checkpoint/);
    const state = JSON.parse(await Deno.readTextFile(join(cwd, "runs/dcgan/stop/checkpoint/state.json")));
    assert.ok(
      state.position.step >= 1 && state.position.step < stepsPerEpoch,
      `stopped at step ${state.position.step}, epoch of ${stepsPerEpoch}`,
    );
    const finished = await run(
      cwd,
      "dcgan_train",
      ...["--size", "8x12", "--filters", "4", "--batch", "2", "--epochs", "1", "--backend", "cpu"],
      ...["--no-quality", "--sample-rate", "100000", "--checkpoint-every", "0", "--name", "stop", "--resume"],
    );
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout, new RegExp(`${stepsPerEpoch} steps, 1 epochs`));
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("dcgan:train, dcgan:sample, dcgan:export and dcgan:figures take a plain --name: a path is a usage error (exit 2)", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    for (const name of ["dcgan_train", "dcgan_sample", "dcgan_export", "dcgan_figures"]) {
      const extra = name === "dcgan_sample" ? ["--genre", "Drama", "--decade", "1990"] : [];
      const escaped = await run(cwd, name, "--name", "../../x", ...extra);
      assert.equal(escaped.code, 2, `${name}: ${escaped.stderr}`);
      assert.match(escaped.stderr, /--name "\.\.\/\.\.\/x" may not contain \/ .*: give a plain folder name/);
    }
    const stray = await run(cwd, "dcgan_train", "-e", "3");
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /Unknown flag -e/);
    const weight = await run(cwd, "dcgan_train", "--conditional", "--decade-weight", "-1");
    assert.equal(weight.code, 2);
    assert.match(weight.stderr, /--decade-weight needs a number of 0 or more, got -1/);
    const rate = await run(cwd, "dcgan_train", "--discriminator-learning-rate", "0");
    assert.equal(rate.code, 2);
    assert.match(rate.stderr, /--discriminator-learning-rate must be above 0, got 0/);
    const wide = await run(cwd, "dcgan_train", "--generator-filters", "-8");
    assert.equal(wide.code, 2);
    assert.match(wide.stderr, /--generator-filters/);
    const decay = await run(cwd, "dcgan_train", "--beta2", "1");
    assert.equal(decay.code, 2);
    assert.match(decay.stderr, /--beta2 must be from 0 to below 1, got 1/);
    // Growing: a smaller poster of the same shape, and epochs left for the full size.
    const shape = await run(cwd, "dcgan_train", "--grow-from", "16x32");
    assert.equal(shape.code, 2);
    assert.match(shape.stderr, /--grow-from 16x32 is not the shape of --size 64x96: .*such as 16x24/);
    const short = await run(cwd, "dcgan_train", "--grow-from", "16x24", "--epochs", "4");
    assert.equal(short.code, 2);
    assert.match(short.stderr, /--grow-epochs .*2 smaller sizes x 2 must be below the run's 4 epochs/);
    const projected = await run(cwd, "dcgan_train", "--grow-from", "32x48", "--projected");
    assert.equal(projected.code, 2);
    assert.match(
      projected.stderr,
      /--grow-from cannot go with the projected discriminator: drop one of them/,
    );
    assert.deepEqual([...Deno.readDirSync(cwd)], [], "nothing written, inside or outside runs/");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
