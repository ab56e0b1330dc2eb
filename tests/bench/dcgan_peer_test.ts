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
import { DEFAULT_DCGAN_SHAPE, DEFAULT_OBJECTIVE } from "../../lib/config.ts";
import { buildGenerator, CONDITION_SIZE } from "../../lib/models/dcgan.ts";
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

/**
 * Runs `script` in the peer's Python with bench/ importable, `json`, `torch` and the parsed stdin as
 * `request`; returns what it prints, parsed.
 */
async function runPeerScript(script: string, request: unknown): Promise<unknown> {
  const prelude =
    `import json, sys, torch\nsys.path.insert(0, sys.argv[1])\nrequest = json.load(sys.stdin)\n`;
  const bench = new URL("../../bench", import.meta.url).pathname;
  const child = new Deno.Command(python!, {
    args: ["-c", prelude + script, bench],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(request)));
  await writer.close();
  const output = await child.output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

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
    "--size 64x96 --filters 32 --condition-size 19 --upsampling resize --generator-conditioning input " +
      "--skip-excitation --augment color,translation,cutout --average-decay 0.999 --class-weight 3 " +
      "--task cdcgan-train",
  );
  // Beyond the command's flags (size, filters, --conditional), the networks are the defaults', so a
  // new default reaches the bench without restating it there.
  for (const quick of [false, true]) {
    const { width: _w, height: _h, filters: _f, conditionSize, ...rest } = RECOMMENDED_CASE.shape(
      options(quick),
    );
    assert.equal(conditionSize, CONDITION_SIZE);
    const { width: _dw, height: _dh, filters: _df, conditionSize: _dc, ...defaults } = DEFAULT_DCGAN_SHAPE;
    assert.deepEqual(rest, defaults);
  }
  assert.deepEqual(RECOMMENDED_CASE.objective, DEFAULT_OBJECTIVE);
  // The paper's case is the paper's step, as its peer runs it: no DiffAugment, no weight average.
  assert.match(peerArguments(PAPER_CASE, options(false)).join(" "), /--augment {2}--average-decay 0 /);
  // Networks the peer can't build are refused, not timed against different ones.
  for (
    const extra of [{ reconstruct: true }, { minibatchStd: true }, { fullSizeFilters: 16 }, {
      generatorFilters: 48,
    }]
  ) {
    const unbuilt = {
      ...RECOMMENDED_CASE,
      shape: () => ({ ...RECOMMENDED_CASE.shape(options(false)), ...extra }),
    };
    assert.throws(() => peerArguments(unbuilt, options(false)), /no reconstructing discriminator/);
  }
});

Deno.test({
  name: "bench: the peer's DiffAugment gives lib/gan/augment.ts's images for the same seed",
  ignore: !python,
  async fn() {
    const x = tf.randomUniform([5, 24, 16, 3], -1, 1, "float32", 9) as tf.Tensor4D;
    const policies = [["color"], ["translation"], ["cutout"], ["color", "translation", "cutout"]] as const;
    // The peer is NCHW: it gets the images transposed and its outputs come back transposed again.
    const script = `
from pytorch_diffaugment import augment
x = torch.tensor(request["x"]).permute(0, 3, 1, 2).contiguous()
print(json.dumps([augment(x, p, request["seed"]).permute(0, 2, 3, 1).tolist() for p in request["policies"]]))`;
    const theirs = await runPeerScript(script, { x: x.arraySync(), seed: 13, policies }) as number[][][][][];
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

Deno.test({
  name:
    "bench cdcgan: the peer's generator computes TensorFlow.js's, conditional batch norm and skip-layer " +
    "excitation included",
  ignore: !python,
  async fn() {
    // The modulated generator (`--generator-conditioning modulated`): it holds every layer the input one
    // has, and the conditional batch norm besides; 64x96, so that one excitation's source is pooled.
    const shape = {
      ...RECOMMENDED_CASE.shape(options(false)),
      filters: 8,
      generatorConditioning: "modulated" as const,
      skipExcitation: true,
      seed: 5,
    };
    const generator = buildGenerator(shape);
    // Random weights everywhere, so the zero-initialised modulation does something to compare.
    const random = generator.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.2, "float32", i));
    generator.setWeights(random);
    tf.dispose(random);
    const noise = tf.randomNormal([4, shape.latentDim], 0, 1, "float32", 7);
    const condition = tf.tidy(() =>
      tf.randomUniform([4, shape.conditionSize], 0, 1, "float32", 8).less(0.5).toFloat()
    );
    // Batch statistics, as in a training step.
    const mine = generator.apply([noise, condition], { training: true }) as tf.Tensor4D;
    const layers = generator.layers.filter((layer) => layer.getWeights().length > 0).map((layer) => ({
      name: layer.name,
      kind: layer.getClassName(),
      weights: layer.getWeights().map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) })),
    }));
    // Keras layouts to PyTorch's: dense kernels [in, out] transposed; the projection's units from
    // (h, w, c) order to (c, h, w), as the peer views them; conv kernels HWIO to OIHW.
    const script = `
import numpy as np
from pytorch_dcgan_peer import ConditionalBatchNorm, Generator, SkipExcitation
g = Generator(request["size"], request["filters"], request["conditionSize"], "resize", True, True)
norms = [m for m in g.body if isinstance(m, ConditionalBatchNorm)]
gates = [m for m in g.body if isinstance(m, SkipExcitation)]
gate_names = sorted({l["name"].split("_")[0] for l in request["layers"] if l["name"].startswith("sle")},
                    key=lambda n: int(n[3:]))
assert len(gates) == len(gate_names) == 2, (len(gates), gate_names)
convs = [m for m in g.body if isinstance(m, torch.nn.Conv2d)]
names = lambda *kinds: [l["name"] for l in request["layers"] if l["kind"] in kinds]
# ResizeConv2D is TensorFlow.js's nearest 2x and 3x3 convolution in one layer; the peer's are two.
bn_names, conv_names = names("BatchNormalization"), names("Conv2D", "ResizeConv2D")
c, h = g.channels, g.base_height
def arrays(layer):
    return [np.array(w["values"], dtype=np.float32).reshape(w["shape"]) for w in layer["weights"]]
def put(param, array):
    assert tuple(param.shape) == array.shape, (param.shape, array.shape)
    param.data.copy_(torch.from_numpy(np.ascontiguousarray(array)))
for layer in request["layers"]:
    name, w = layer["name"], arrays(layer)
    if name == "project":
        kernel = w[0].reshape(-1, h, 4, c).transpose(0, 3, 1, 2).reshape(w[0].shape[0], -1)
        put(g.project.weight, kernel.T)
        put(g.project.bias, w[1].reshape(h, 4, c).transpose(2, 0, 1).reshape(-1))
    elif layer["kind"] == "BatchNormalization":
        norm = norms[bn_names.index(name)].norm
        for param, array in zip((norm.weight, norm.bias, norm.running_mean, norm.running_var), w):
            put(param, array)
    elif name.startswith("sle"):
        gate, _, part = name.partition("_")
        dense = getattr(gates[gate_names.index(gate)], part)
        put(dense.weight, w[0].T)
        put(dense.bias, w[1])
    elif name.endswith(("_gamma", "_beta")):
        bn, _, part = name.rpartition("_")
        dense = getattr(norms[bn_names.index(bn)], part)
        put(dense.weight, w[0].T)
        put(dense.bias, w[1])
    else:
        conv = convs[conv_names.index(name)]
        put(conv.weight, w[0].transpose(3, 2, 0, 1))
        if len(w) > 1: put(conv.bias, w[1])
# Every weight of the peer got one (its state has num_batches_tracked besides, one per batch norm).
assert sum(len(l["weights"]) for l in request["layers"]) == len(g.state_dict()) - len(norms)
g.train()
with torch.no_grad():
    out = g(*(torch.tensor(request[k], dtype=torch.float32) for k in ("noise", "condition")))
print(json.dumps(out.permute(0, 2, 3, 1).tolist()))`;
    const theirs = await runPeerScript(script, {
      size: `${shape.width}x${shape.height}`,
      filters: shape.filters,
      conditionSize: shape.conditionSize,
      layers,
      noise: noise.arraySync(),
      condition: condition.arraySync(),
    }) as number[][][][];
    const difference = tf.tidy(() => tf.sub(mine, tf.tensor4d(theirs)).abs().max().dataSync()[0]);
    assert.ok(difference < 1e-4, `the generators differ by ${difference}`);
    tf.dispose([mine, noise, condition]);
    generator.dispose();
  },
});

Deno.test("bench: --only with an unknown suite is a usage error naming the suites", async () => {
  const { code, stderr } = await finished(startCli("bench", Deno.cwd(), "--only", "cdgan"));
  assert.equal(code, 2);
  assert.match(stderr, /--only cdgan: no such suite; use data-load, cnn, dcgan, cdcgan/);
});
