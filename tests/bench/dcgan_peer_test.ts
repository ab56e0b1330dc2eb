import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { augment } from "../../lib/gan/augment.ts";
import { RECOMMENDED_CASE } from "../../bench/cdcgan.ts";
import {
  type DcganCase,
  PAPER_CASE,
  peerArguments,
  peerParameters,
  tfjsParameters,
} from "../../bench/dcgan.ts";
import { pythonWithTorch } from "../../bench/pytorch.ts";
import type { BenchOptions } from "../../bench/types.ts";
import { finished, startCli } from "../fixtures.ts";

await tf.setBackend("cpu");

// The peer runs on Debian's python3-torch; without torch these tests have nothing to compare.
const python = await pythonWithTorch();
const options = (quick: boolean): BenchOptions => ({
  backends: [],
  ratios: [],
  batch: 32,
  dataDir: "",
  quick,
});

for (const dcganCase of [PAPER_CASE, RECOMMENDED_CASE] as DcganCase[]) {
  Deno.test({
    name: `bench ${dcganCase.suite}: the PyTorch peer's networks have TensorFlow.js's parameter counts`,
    ignore: !python,
    async fn() {
      for (const quick of [false, true]) {
        const mine = tfjsParameters(dcganCase, options(quick));
        assert.deepEqual(await peerParameters(python!, dcganCase, options(quick)), mine);
        // Batch norm's moving statistics are counted on both sides, so "all" checks those layers too.
        assert.ok(mine.generator.all > mine.generator.trainable);
      }
    },
  });
}

Deno.test("bench cdcgan: the case is the recommended run's networks and objective", () => {
  const args = peerArguments(RECOMMENDED_CASE, options(false)).join(" ");
  assert.equal(
    args,
    "--size 64x96 --filters 32 --condition-size 19 --upsampling resize --augment color,translation,cutout " +
      "--average-decay 0.999 --task cdcgan-train",
  );
  // The paper's case is the paper's step, as its peer runs it: no DiffAugment, no weight average.
  assert.match(peerArguments(PAPER_CASE, options(false)).join(" "), /--augment {2}--average-decay 0 /);
});

Deno.test({
  name: "bench: the peer's DiffAugment gives lib/gan/augment.ts's images for the same seed",
  ignore: !python,
  async fn() {
    const x = tf.randomUniform([5, 24, 16, 3], -1, 1, "float32", 9) as tf.Tensor4D;
    const policies = [["color"], ["translation"], ["cutout"], ["color", "translation", "cutout"]] as const;
    // The peer is NCHW: it gets the images transposed and its outputs come back transposed again.
    const script = `
import json, sys, torch
sys.path.insert(0, sys.argv[1])
from pytorch_diffaugment import augment
request = json.load(sys.stdin)
x = torch.tensor(request["x"]).permute(0, 3, 1, 2).contiguous()
print(json.dumps([augment(x, p, request["seed"]).permute(0, 2, 3, 1).tolist() for p in request["policies"]]))`;
    const bench = new URL("../../bench", import.meta.url).pathname;
    const child = new Deno.Command(python!, { args: ["-c", script, bench], stdin: "piped", stdout: "piped" })
      .spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify({ x: x.arraySync(), seed: 13, policies })));
    await writer.close();
    const output = await child.output();
    assert.ok(output.success);
    const theirs = JSON.parse(new TextDecoder().decode(output.stdout)) as number[][][][][];
    policies.forEach((policy, i) => {
      const mine = augment(x, policy, 13);
      const difference = tf.tidy(() => tf.sub(mine, tf.tensor4d(theirs[i])).abs().max().dataSync()[0]);
      assert.ok(difference < 1e-5, `${policy.join("+")}: differs by ${difference}`);
      // And the transform did something, so equal outputs are not two copies of the input.
      assert.ok(tf.tidy(() => tf.sub(mine, x).abs().max().dataSync()[0]) > 0.01, policy.join("+"));
    });
    x.dispose();
  },
});

Deno.test("bench: --only with an unknown suite is a usage error naming the suites", async () => {
  const { code, stderr } = await finished(startCli("bench", Deno.cwd(), "--only", "cdgan"));
  assert.equal(code, 2);
  assert.match(stderr, /--only cdgan: no such suite; use data-load, cnn, dcgan, cdcgan/);
});
