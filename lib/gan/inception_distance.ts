/**
 * An independent judge of generated posters: the Fréchet distance (frechet.ts) between two sets of
 * images on the features of a network that is not ours, InceptionV3 (lib/models/inception_v3.ts), the
 * closest thing to FID this project has offline. The genre CNN's distance (generator_quality.ts) is
 * measured with a network trained on the same posters; this one is not.
 *
 * Both sets are compared at one size (the generated images'; real posters go down to it first, see
 * image_sets.ts), and both go up to 299x299 by the same resize, so the distance measures the generator,
 * not the pixel count.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { FID_DEFAULTS } from "../config.ts";
import { inceptionV3Input, loadInceptionV3Features } from "../models/inception_v3.ts";
import { concatenate } from "../util/arrays.ts";
import { Progress } from "../util/progress.ts";
import { seededRandom } from "../util/random.ts";
import { type FeatureSet, frechetDistance } from "./frechet.ts";
import type { ImageBatch } from "./grid_layout.ts";

/** A frozen network that turns images into feature vectors. */
export interface ImageJudge {
  /** Which network, for reports. */
  name: string;
  /** [n, height, width, 3] RGB pixels in 0..255 (any size) to [n, features]. */
  features(pixels: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/** How reports name the bundled InceptionV3, with what its features have seen. */
export const INCEPTION_JUDGE_NAME = "InceptionV3 (nsfwjs 4.4: ImageNet, fine-tuned on 5 content classes)";

/** The bundled InceptionV3 as a judge (a few seconds to load). */
export async function loadInceptionJudge(): Promise<ImageJudge> {
  const model = await loadInceptionV3Features();
  return {
    name: INCEPTION_JUDGE_NAME,
    features: (pixels) => tf.tidy(() => model.predict(inceptionV3Input(pixels)) as tf.Tensor2D),
    dispose: () => model.dispose(),
  };
}

/** Options of {@linkcode judgeFeatures}. */
export interface FeatureOptions {
  /** Progress bar label; none draws no bar. */
  label?: string;
  /** Images per network call (default {@linkcode FID_DEFAULTS}.batchSize). */
  batchSize?: number;
}

/** The judge's features of every image of `images`, a batch at a time. */
export function judgeFeatures(
  judge: ImageJudge,
  images: ImageBatch,
  options: FeatureOptions = {},
): FeatureSet {
  const batchSize = options.batchSize ?? FID_DEFAULTS.batchSize;
  const bytes = images.height * images.width * 3;
  const progress = options.label ? new Progress(options.label, images.count, { unit: "images" }) : undefined;
  const chunks: Float32Array[] = [];
  for (let start = 0; start < images.count; start += batchSize) {
    const n = Math.min(batchSize, images.count - start);
    const pixels = Float32Array.from(images.pixels.subarray(start * bytes, (start + n) * bytes));
    const batch = tf.tensor4d(pixels, [n, images.height, images.width, 3]);
    const features = judge.features(batch);
    chunks.push(features.dataSync() as Float32Array);
    tf.dispose([batch, features]);
    progress?.tick(n);
  }
  progress?.finish();
  const values = concatenate(chunks, Float32Array);
  return { count: images.count, dim: values.length / Math.max(images.count, 1), values };
}

/** An independent distance, as `deno task fid` prints it and a DCGAN run records it. */
export interface JudgedDistance {
  /** The network (see {@linkcode ImageJudge.name}). */
  network: string;
  /** The size both sets were compared at, before the network's resize. */
  width: number;
  height: number;
  /** Fréchet distance, real vs generated (lower is better). */
  distance: number;
  realSamples: number;
  generatedSamples: number;
  /** The distance between the compared real images and as many other real ones as there are generated. */
  floor?: number;
  /** `distance / floor`. */
  overFloor?: number;
  /** Seconds the judging took (features and distances, not loading the network). */
  seconds: number;
}

/**
 * The judge's distance between `real` and `generated` (same size), and with `floorReal` (other real
 * images, as many as `generated` for a fair floor) the real-vs-real floor and the ratio.
 */
export function judgeDistance(
  judge: ImageJudge,
  real: ImageBatch,
  generated: ImageBatch,
  options: FeatureOptions & { floorReal?: ImageBatch } = {},
): JudgedDistance {
  const { floorReal } = options;
  for (const other of [generated, ...(floorReal ? [floorReal] : [])]) {
    if (other.width !== real.width || other.height !== real.height) {
      throw new Error(
        `Images to compare must have one size: ${real.width}x${real.height} and ${other.width}x${other.height}.`,
      );
    }
  }
  const started = performance.now();
  const label = (side: string) => options.label ? `${options.label} ${side}` : undefined;
  const features = (images: ImageBatch, side: string) =>
    judgeFeatures(judge, images, { batchSize: options.batchSize, label: label(side) });
  const realFeatures = features(real, "real");
  const distance = round3(frechetDistance(realFeatures, features(generated, "generated")));
  const result: JudgedDistance = {
    network: judge.name,
    width: real.width,
    height: real.height,
    distance,
    realSamples: real.count,
    generatedSamples: generated.count,
    seconds: 0,
  };
  if (floorReal) {
    const floor = round3(frechetDistance(realFeatures, features(floorReal, "real (floor)")));
    result.floor = floor;
    result.overFloor = Math.round((distance / Math.max(floor, 1e-9)) * 100) / 100;
  }
  result.seconds = Math.round((performance.now() - started) / 100) / 10;
  return result;
}

const round3 = (x: number) => Math.round(x * 1e3) / 1e3;

/** Which images of each side a comparison uses (indices into each side's images). */
export interface ComparisonPlan {
  real: number[];
  generated: number[];
  /** With a floor: other real images, as many as `generated`, none of them in `real`. */
  floorReal?: number[];
}

/** Options of {@linkcode planComparison}. */
export interface PlanOptions {
  /** Split the real images into two halves for the real-vs-real floor. */
  floor?: boolean;
  /** At most this many images a side (each half of the floor counts as a side). */
  limit?: number;
  /** Seed of the pick (default {@linkcode FID_DEFAULTS}.seed). */
  seed?: number;
}

/**
 * Picks the images to compare, at random (seeded: folders sorted by name, e.g. by IMDb id, would
 * otherwise give the oldest films). Without a floor, every image up to `limit` a side; with one, `n` =
 * the fewest of half the real images, the generated ones and `limit`: real half A vs `n` generated,
 * and the floor A vs real half B, so both distances have the same counts. Without generated images
 * (`counts.generated` undefined) only the floor's halves. `names` name the sides in errors.
 */
export function planComparison(
  counts: { real: number; generated?: number },
  names: { real: string; generated?: string },
  options: PlanOptions = {},
): ComparisonPlan {
  const least = FID_DEFAULTS.minImages;
  const limit = options.limit ?? Infinity;
  const seed = options.seed ?? FID_DEFAULTS.seed;
  const few = (name: string, count: number, need: string) =>
    new Error(
      `${name} holds ${count} image${
        count === 1 ? "" : "s"
      }: ${need} (a few hundred a side give a stable figure).`,
    );
  const floor = options.floor || counts.generated === undefined;
  if (counts.generated !== undefined && counts.generated < least) {
    throw few(names.generated!, counts.generated, `a Fréchet distance needs at least ${least} a side`);
  }
  if (floor && counts.real < 2 * least) {
    throw few(names.real, counts.real, `--floor splits it into two halves of at least ${least}`);
  }
  if (counts.real < least) {
    throw few(names.real, counts.real, `a Fréchet distance needs at least ${least} a side`);
  }
  const real = shuffled(counts.real, seed);
  const generated = shuffled(counts.generated ?? 0, seed + 1);
  if (!floor) {
    return { real: real.slice(0, limit), generated: generated.slice(0, limit) };
  }
  const n = Math.min(Math.floor(counts.real / 2), counts.generated ?? Infinity, limit);
  return { real: real.slice(0, n), generated: generated.slice(0, n), floorReal: real.slice(n, 2 * n) };
}

function shuffled(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({ i, r: random() })).sort((a, b) => a.r - b.r).map((x) =>
    x.i
  );
}

/** `InceptionV3 (...) distance 12.3 (floor 4.1: 3.0x; 256 real vs 256 generated at 64x96)`. */
export function describeJudged(judged: JudgedDistance): string {
  const floor = judged.floor === undefined ? "" : `floor ${judged.floor}: ${judged.overFloor}x; `;
  return `${judged.network} distance ${judged.distance} (${floor}${judged.realSamples} real vs ` +
    `${judged.generatedSamples} generated at ${judged.width}x${judged.height})`;
}
