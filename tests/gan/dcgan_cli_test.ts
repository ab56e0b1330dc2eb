/** `deno task dcgan:prepare`, `dcgan:train` and `dcgan:sample` run as subprocesses on a fixture dataset. */
import assert from "node:assert/strict";
import sharp from "sharp";
import { join } from "node:path";
import { makeFixtureDataDir } from "../fixtures.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const cli = (name: string) => new URL(`../../cli/${name}.ts`, import.meta.url).pathname;

/** Runs a CLI in `cwd` (so its runs/ folder lands in a temp dir). */
async function run(cwd: string, name: string, ...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, cli(name), ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

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
      "--grid-height",
      "2",
      "--grid-width",
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
