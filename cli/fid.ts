/**
 * `deno task fid REAL GENERATED [--floor] [--limit N] [--size WxH] [--network inception_v3|mobilenet_v2]
 *  [--backend NAME] [--threads N]`
 * `deno task fid REAL --floor [--limit N] [--size WxH]`: the real-vs-real floor alone
 *
 * An independent judge of generated posters: the Fréchet distance between two sets of images on the
 * features of the InceptionV3 that nsfwjs bundles (FID's recipe, not FID's network: see
 * lib/models/inception_v3.ts), or with `--network mobilenet_v2` the MobileNetV2 it bundles, reading the
 * images at their own size (lib/gan/mobilenet_judge.ts). REAL is a folder of images or a training set of dcgan:prepare
 * (data/gan/<key>.json); GENERATED a folder, e.g. from `dcgan:sample --out-dir`. The work is in
 * lib/gan/image_sets.ts and lib/gan/inception_distance.ts.
 */
import { initBackend } from "../lib/backend/mod.ts";
import { BACKEND_FLAGS, backendFromArgs, parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { parseImageSize, type Size } from "../lib/images/resize.ts";
import { loadComparison } from "../lib/gan/image_sets.ts";
import { judgeDistance, loadInceptionJudge } from "../lib/gan/inception_distance.ts";
import { loadMobileNetJudge, MOBILENET_JUDGE_FEATURES } from "../lib/gan/mobilenet_judge.ts";
import { FID_DEFAULTS } from "../lib/config.ts";

const FLAGS = {
  floor: {
    type: "boolean",
    help: "also the distance between two halves of REAL (the real-vs-real floor) and the ratio to it",
  },
  limit: { type: "number", help: "at most N images a side (picked at random, seeded)" },
  size: { type: "string", help: "compare at WIDTHxHEIGHT (default: the generated images' own size)" },
  network: {
    type: "string",
    help: "inception_v3 (FID's features, images resized to 299x299) or mobilenet_v2 (read at the compared " +
      "size, no resize; at least 32x32)",
    default: "inception_v3",
  },
  ...BACKEND_FLAGS,
} as const;

const DESCRIPTION =
  "Judge generated posters against real ones: a Fréchet distance on InceptionV3 features.\n" +
  "Usage: deno task fid REAL_DIR GENERATED_DIR [flags]   (REAL_DIR may be data/gan/<key>.json of dcgan:prepare)\n" +
  "       deno task fid REAL_DIR --floor [flags]           (the real-vs-real floor alone)";

await runCli(DESCRIPTION, FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS, { positional: true });
  if (flags._.length !== 2 && !(flags._.length === 1 && flags.floor)) {
    throw new UsageError(
      `Give two folders, REAL_DIR and GENERATED_DIR (got ${flags._.length} argument${
        flags._.length === 1 ? "" : "s"
      }), e.g. deno task fid data/gan/<key>.json /tmp/generated --floor; or REAL_DIR alone with --floor.`,
    );
  }
  const [realPath, generatedPath] = flags._ as [string, string | undefined];
  if (
    flags.limit !== undefined && !(Number.isInteger(flags.limit) && flags.limit >= FID_DEFAULTS.minImages)
  ) {
    throw new UsageError(
      `--limit needs a whole number of at least ${FID_DEFAULTS.minImages}, got ${flags.limit}.`,
    );
  }
  let size: Size | undefined;
  try {
    size = flags.size === undefined ? undefined : parseImageSize(flags.size);
  } catch (error) {
    throw new UsageError(`--size: ${(error as Error).message}`);
  }
  const network = flags.network!;
  if (network !== "inception_v3" && network !== "mobilenet_v2") {
    throw new UsageError(`--network ${network} is unknown: use inception_v3 or mobilenet_v2.`);
  }
  const { name: backendName, threads } = backendFromArgs(flags);
  const loaded = await loadComparison(realPath, generatedPath, {
    floor: flags.floor ?? false,
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(size ? { size } : {}),
  });
  const backend = await initBackend(backendName, { threads });
  const started = performance.now();
  const { real, generated, floorReal } = loaded.images;
  const inception = network === "inception_v3";
  if (!inception && Math.min(real.width, real.height) < 32) {
    throw new UsageError(
      `--network mobilenet_v2 needs images of at least 32x32 (it strides by 32); these compare at ` +
        `${real.width}x${real.height}: give --size, or use inception_v3.`,
    );
  }
  const judge = inception ? await loadInceptionJudge() : await loadMobileNetJudge(real);
  const loadSeconds = (performance.now() - started) / 1000;
  const judged = generatedPath === undefined
    ? judgeDistance(judge, real, floorReal!, { label: "fid" })
    : judgeDistance(judge, real, generated, { label: "fid", ...(floorReal ? { floorReal } : {}) });
  judge.dispose();
  const images = real.count + generated.count + (floorReal?.count ?? 0);
  console.log(
    `network:   ${judged.network}, ${
      inception ? "2048 features of its last mixed block at 299x299" : MOBILENET_JUDGE_FEATURES
    }`,
  );
  console.log(
    `real:      ${real.count} of the ${loaded.real.count} images of ${realPath} (${loaded.real.kind})`,
  );
  if (loaded.generated) {
    console.log(`generated: ${generated.count} of the ${loaded.generated.count} images of ${generatedPath}`);
  }
  console.log(
    `compared at ${judged.width}x${judged.height} (${
      inception ? "both then resized to 299x299 alike" : "read at that size"
    })`,
  );
  if (loaded.generated) console.log(`distance:  ${judged.distance}`);
  if (floorReal) {
    const floor = loaded.generated ? judged.floor : judged.distance;
    console.log(`floor:     ${floor} (${real.count} real vs ${floorReal.count} other real images)`);
    if (loaded.generated) console.log(`ratio:     ${judged.overFloor}x the floor`);
  }
  console.log(
    `time:      ${judged.seconds}s for ${images} images (${
      (judged.seconds / images * 1000).toFixed(0)
    } ms an ` +
      `image) on ${backend.name}, network loaded in ${loadSeconds.toFixed(1)}s`,
  );
});
