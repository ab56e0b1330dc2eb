/** `deno task fid` as a subprocess: its errors (before the network loads) and one small comparison. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { corruptJpeg, finished, makeJpeg, startCli } from "../fixtures.ts";

const fid = (cwd: string, ...args: string[]) => finished(startCli("fid", cwd, ...args));

/** Writes `count` images of `width` x `height` in varied colours into `dir`. */
async function images(dir: string, count: number, width: number, height: number, kind: "png" | "srgb") {
  await Deno.mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const color: [number, number, number] = [(i * 70) % 256, (i * 130 + 40) % 256, (i * 200 + 90) % 256];
    await Deno.writeFile(
      join(dir, `${i}.${kind === "png" ? "png" : "jpg"}`),
      await makeJpeg({ width, height, color, kind }),
    );
  }
}

Deno.test("fid: clear errors for missing, empty, unreadable, too small and mixed-size folders", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    await images(join(cwd, "real"), 6, 30, 44, "srgb");
    await images(join(cwd, "gen"), 3, 8, 12, "png");
    await Deno.mkdir(join(cwd, "empty"));
    await Deno.writeTextFile(join(cwd, "empty", "notes.txt"), "not an image");
    await images(join(cwd, "one"), 1, 8, 12, "png");
    await images(join(cwd, "mixed"), 2, 8, 12, "png");
    await Deno.writeFile(
      join(cwd, "mixed", "big.png"),
      await makeJpeg({ width: 16, height: 24, kind: "png" }),
    );
    await images(join(cwd, "broken"), 3, 30, 44, "srgb");
    await Deno.writeFile(join(cwd, "broken", "bad.jpg"), corruptJpeg());

    const missing = await fid(cwd, "nowhere", "gen");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nowhere does not exist: give a folder of images or a training set/);
    const empty = await fid(cwd, "real", "empty");
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /empty holds no \.jpg, \.jpeg, \.png, \.webp images/);
    const one = await fid(cwd, "real", "one");
    assert.match(one.stderr, /one holds 1 image: a Fréchet distance needs at least 2 a side/);
    const mixed = await fid(cwd, "real", "mixed");
    assert.match(mixed.stderr, /mixed holds images of different sizes \(0\.png is 8x12, big\.png 16x24\)/);
    const broken = await fid(cwd, "broken", "gen");
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /broken\/bad\.jpg is not a readable image/);
    const halves = await fid(cwd, "gen", "real", "--floor");
    assert.match(halves.stderr, /gen holds 3 images: --floor splits it into two halves of at least 2/);
    const usage = await fid(cwd, "real");
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Give two folders, REAL_DIR and GENERATED_DIR \(got 1 argument\)/);
    const size = await fid(cwd, "real", "gen", "--size", "64");
    assert.equal(size.code, 2);
    assert.match(size.stderr, /--size: "64" is not a size: use WIDTHxHEIGHT/);
    const limit = await fid(cwd, "real", "gen", "--limit", "1");
    assert.match(limit.stderr, /--limit needs a whole number of at least 2, got 1/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("fid: real posters go down to the generated size; distance, floor and ratio printed", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    await images(join(cwd, "real"), 6, 30, 44, "srgb");
    await images(join(cwd, "gen"), 3, 8, 12, "png");
    const run = await fid(cwd, "real", "gen", "--floor", "--backend", "wasm");
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^network: +InceptionV3 \(nsfwjs 4\.4: ImageNet, fine-tuned on 5 content classes\)/,
    );
    // Three generated, so the floor compares 3 real with 3 other real.
    assert.match(run.stdout, /real: +3 of the 6 images of real \(folder\)/);
    assert.match(run.stdout, /generated: +3 of the 3 images of gen/);
    assert.match(run.stdout, /compared at 8x12/);
    const figure = (name: string) => Number(new RegExp(`${name}: +([\\d.]+)`).exec(run.stdout)?.[1]);
    assert.ok(figure("distance") > 0 && figure("floor") > 0, run.stdout);
    assert.ok(Math.abs(figure("ratio") - figure("distance") / figure("floor")) < 0.01, run.stdout);
    assert.match(run.stdout, /time: .* on wasm, network loaded in/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("fid --network mobilenet_v2: MobileNetV2 reads the images at their own size; too small is refused", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    await images(join(cwd, "real"), 6, 40, 60, "srgb");
    await images(join(cwd, "gen"), 3, 32, 48, "png");
    await images(join(cwd, "tiny"), 3, 8, 12, "png");
    const run = await fid(cwd, "real", "gen", "--floor", "--network", "mobilenet_v2", "--backend", "wasm");
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^network: +MobileNetV2 \(nsfwjs 4\.4: .*\), at the images' own size, 1280 features/,
    );
    assert.match(run.stdout, /compared at 32x48 \(read at that size\)/);
    const figure = (name: string) => Number(new RegExp(`${name}: +([\\d.]+)`).exec(run.stdout)?.[1]);
    assert.ok(figure("distance") > 0 && figure("floor") > 0, run.stdout);
    const tiny = await fid(cwd, "real", "tiny", "--network", "mobilenet_v2");
    assert.equal(tiny.code, 2);
    assert.match(tiny.stderr, /--network mobilenet_v2 needs images of at least 32x32 .* compare at 8x12/);
    const unknown = await fid(cwd, "real", "gen", "--network", "vgg");
    assert.match(unknown.stderr, /--network vgg is unknown: use inception_v3 or mobilenet_v2/);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
