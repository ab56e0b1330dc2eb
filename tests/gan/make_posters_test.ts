import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { checkTruncation, posterNoise } from "../../lib/gan/make_posters.ts";
import { finished, startCli } from "../fixtures.ts";

await tf.setBackend("cpu");

Deno.test("posterNoise: the truncation scales the same seed's noise, and 1 leaves it as drawn", () => {
  const drawn = posterNoise(tf, 4, 10, 5).dataSync();
  assert.deepEqual(posterNoise(tf, 4, 10, 5, 1).dataSync(), drawn);
  // A factor of one half is exact in float32: every value is the drawn one halved.
  assert.deepEqual(posterNoise(tf, 4, 10, 5, 0.5).dataSync(), drawn.map((v) => v / 2));
  assert.notDeepEqual(posterNoise(tf, 4, 10, 6).dataSync(), drawn);
});

Deno.test("the truncation is a factor in (0, 1]: anything else is an error that says so", () => {
  for (const bad of [0, -0.5, 1.5, Number.NaN]) {
    assert.throws(() => checkTruncation(bad), /truncation is a factor in \(0, 1\]/, String(bad));
  }
  checkTruncation(0.7);
  checkTruncation(1);
});

Deno.test("dcgan:sample --truncation outside (0, 1] is a usage error (exit 2) naming the flag", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const output = await finished(
      startCli("dcgan_sample", cwd, "--genre", "Horror", "--decade", "1980", "--truncation", "2"),
    );
    assert.equal(output.code, 2, output.stdout + output.stderr);
    assert.match(output.stderr, /--truncation: The truncation is a factor in \(0, 1\]/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("dcgan:sample's candidates and --quality flags: bad values and clashes are usage errors", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const cases: [string[], RegExp][] = [
      [
        ["--genre", "Horror", "--decade", "1980", "--candidates", "0"],
        /--candidates: The candidates .* from 1/,
      ],
      [["--genre", "Horror", "--decade", "1980", "--candidates", "2.5"], /--candidates: .*got 2\.5/],
      [["--quality", "--genre", "Horror"], /--quality writes nothing .* leave out/],
      [
        ["--genre", "Horror", "--decade", "1980", "--inception"],
        /--inception and --quality-model go with --quality/,
      ],
    ];
    for (const [args, message] of cases) {
      const output = await finished(startCli("dcgan_sample", cwd, ...args));
      assert.equal(output.code, 2, args.join(" ") + output.stdout + output.stderr);
      assert.match(output.stderr, message, args.join(" "));
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
