/**
 * Generating posters from a trained generator: images as uint8 batches for grids, the conditional
 * query "a Sci-Fi poster of the 1980s", and folders of one PNG per poster (for `deno task fid`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import sharp from "sharp";
import { conditionVector, decadeOf, parseGenre } from "../models/dcgan.ts";
import { imageFilesIn } from "../images/folder.ts";
import { writeFileAtomic } from "../util/files.ts";
import { concatenate } from "../util/arrays.ts";
import { seededRandom } from "../util/random.ts";
import { Progress } from "../util/progress.ts";
import { loadGenerator } from "./checkpoint.ts";
import { type ImageBatch, writeGrid } from "./grid.ts";
import { readSetIndex } from "./prepare.ts";
import { conditionTensor } from "./tensors.ts";
import { readRunMetadata, type RunMetadata, runPaths } from "./run.ts";

/**
 * Runs the generator on noise and optional conditions; output in [-1, 1]. Batch norm uses its moving
 * statistics (inference mode), or with `batchStatistics` each batch's own, as in training (the
 * moving statistics are left as they were).
 */
export function generate(
  generator: tf.LayersModel,
  noise: tf.Tensor2D,
  conditions?: tf.Tensor2D,
  options: { batchStatistics?: boolean } = {},
): tf.Tensor4D {
  const inputs = conditions ? [noise, conditions] : noise;
  if (!options.batchStatistics) return generator.predict(inputs) as tf.Tensor4D;
  // Training mode also moves the moving averages: keep them and put them back.
  const saved = generator.getWeights().map((w) => w.clone());
  const images = generator.apply(inputs, { training: true }) as tf.Tensor4D;
  generator.setWeights(saved);
  tf.dispose(saved);
  return images;
}

/** Converts images in [-1, 1] to a uint8 batch. */
export function toImageBatch(images: tf.Tensor4D): ImageBatch {
  const [count, height, width] = images.shape;
  const bytes = tf.tidy(() => images.add(1).mul(127.5).round().clipByValue(0, 255).toInt());
  const pixels = Uint8Array.from(bytes.dataSync());
  bytes.dispose();
  return { count, height, width, pixels };
}

/** A stack of identical condition vectors for `genres` and `decade`. */
export function conditionBatch(genres: string[], decade: number, count: number): tf.Tensor2D {
  const vector = conditionVector(genres, decade);
  const values = new Float32Array(count * vector.length);
  for (let i = 0; i < count; i++) values.set(vector, i * vector.length);
  return tf.tensor2d(values, [count, vector.length]);
}

/**
 * `count` posters from noise drawn at once with `seed` (so the same as one call), generated a batch at a
 * time so memory stays bounded; `conditions(start, n)` gives a conditional generator its rows.
 */
export function generatePosters(
  generator: tf.LayersModel,
  latentDim: number,
  count: number,
  seed: number,
  conditions?: (start: number, n: number) => tf.Tensor2D,
  batchSize = 64,
): ImageBatch {
  const noise = tf.randomNormal([count, latentDim], 0, 1, "float32", seed) as tf.Tensor2D;
  const parts: ImageBatch[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = tf.tidy(() =>
      generate(generator, noise.slice([start, 0], [n, latentDim]), conditions?.(start, n))
    );
    parts.push(toImageBatch(images));
    images.dispose();
  }
  noise.dispose();
  const { height, width } = parts[0];
  return { count, height, width, pixels: concatenate(parts.map((p) => p.pixels), Uint8Array) };
}

/** What `deno task dcgan:sample` asks for. */
export interface SampleRequest {
  runDir: string;
  /** Genres and decade to ask a conditional run for; a folder (`outDir`) may leave both out. */
  genres?: string[];
  decade?: number;
  count: number;
  seed: number;
  /** Posters per grid row; default the square root of `count`, rounded up. */
  columns?: number;
  /** Output PNG; default `<run>/samples/<genres>_<decade>s_<seed>.png`. */
  out?: string;
  /** Write one PNG per poster into this folder instead of a grid (see {@linkcode samplePosters}). */
  outDir?: string;
  /** With `outDir`: write into a folder that already holds images. */
  force?: boolean;
}

/** The run's record and its generator, after checking the request against the run. */
async function openRun(
  request: SampleRequest,
): Promise<{ metadata: RunMetadata; generator: tf.LayersModel }> {
  const metadata = await readRunMetadata(request.runDir);
  if (!metadata) {
    throw new Error(`${request.runDir} has no metadata.json: train it with deno task dcgan:train.`);
  }
  if (!metadata.conditional && (request.genres?.length || request.decade !== undefined)) {
    throw new Error(
      `Run ${request.runDir} is unconditional: train one with --conditional to ask for genres and decades.`,
    );
  }
  if (!Number.isInteger(request.count) || request.count < 1) {
    throw new Error(`--count needs a positive whole number, got ${request.count}.`);
  }
  const generator = await loadGenerator(runPaths(request.runDir).checkpoint);
  return { metadata, generator };
}

/** Writes a grid of conditional samples for a trained run; returns the PNG's path. */
export async function sampleConditional(request: SampleRequest): Promise<string> {
  if (!request.genres?.length || request.decade === undefined) {
    throw new Error("A grid asks for a genre and a decade: give both (--genre Sci-Fi --decade 1980).");
  }
  const genres = request.genres.map(parseGenre);
  const decade = decadeOf(request.decade);
  const { metadata, generator } = await openRun(request);
  const images = generatePosters(
    generator,
    metadata.shape.latentDim,
    request.count,
    request.seed,
    (_, n) => conditionBatch(genres, decade, n),
  );
  generator.dispose();
  const columns = Math.min(request.count, request.columns ?? Math.ceil(Math.sqrt(request.count)));
  const out = request.out ??
    join(runPaths(request.runDir).samples, `${genres.join("-")}_${decade}s_seed${request.seed}.png`);
  await writeGrid(out, images, {
    rows: Math.ceil(request.count / columns),
    columns,
    posterAspect: images.width === images.height,
  });
  return out;
}

/** What {@linkcode samplePosters} wrote. */
export interface PosterFolder {
  dir: string;
  /** File paths, in order. */
  files: string[];
  /** Images that were in the folder before (`force`) and were not replaced. */
  kept: number;
  width: number;
  height: number;
  /** What the posters were asked for. */
  conditions: string;
}

/**
 * Writes `count` posters as `poster_0001.png` ... into `outDir`, each at the generator's own size. A
 * conditional run gets the asked genres and decade, or without them each poster the genres and decade
 * of a random training poster of the run's set (the set's own mix, as the quality figures ask), so
 * that a comparison with the real posters (`deno task fid`) compares like with like. A folder that
 * already holds images is refused unless `force` (fid reads every image of a folder).
 */
export async function samplePosters(request: SampleRequest & { outDir: string }): Promise<PosterFolder> {
  const dir = request.outDir;
  const existing = await imageFilesIn(dir).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  });
  if (existing.length && !request.force) {
    const images = `${existing.length} image${existing.length === 1 ? "" : "s"} (${existing[0]}, ...)`;
    throw new Error(
      `${dir} already holds ${images}: give an empty or new folder, or --force to write into it ` +
        `(files of the same names are replaced).`,
    );
  }
  const genres = request.genres?.map(parseGenre) ?? [];
  const decade = request.decade === undefined ? undefined : decadeOf(request.decade);
  if (genres.length > 0 !== (decade !== undefined)) {
    throw new Error("Give both --genre and --decade, or neither (posters take the training set's own mix).");
  }
  const { metadata, generator } = await openRun(request);
  let conditions: ((start: number, n: number) => tf.Tensor2D) | undefined;
  let asked = "unconditional";
  if (metadata.conditional && decade !== undefined) {
    conditions = (_, n) => conditionBatch(genres, decade, n);
    asked = `${genres.join("/")} of the ${decade}s`;
  } else if (metadata.conditional) {
    const { dataDir } = metadata.dataset.selection;
    const index = await readSetIndex(dataDir, metadata.dataset.key).catch(() => {
      generator.dispose();
      throw new Error(
        `The run's training set ${metadata.dataset.key} is not in ${dataDir}/gan/ (its posters give the ` +
          `conditions): run dcgan:prepare with the run's selection again, or ask with --genre and --decade.`,
      );
    });
    const movies = index.movies;
    const random = seededRandom(request.seed + 1);
    const rows = Array.from({ length: request.count }, () => {
      const movie = movies[Math.floor(random() * movies.length)];
      return conditionVector(movie.genres, movie.year);
    });
    conditions = (start, n) => conditionTensor(rows, Array.from({ length: n }, (_, i) => start + i));
    asked = `the genres and decades of random posters of ${metadata.dataset.key}`;
  }
  const images = generatePosters(
    generator,
    metadata.shape.latentDim,
    request.count,
    request.seed,
    conditions,
  );
  generator.dispose();
  const digits = Math.max(4, String(request.count).length);
  const bytes = images.width * images.height * 3;
  const files: string[] = [];
  const progress = new Progress("dcgan:sample", request.count, { unit: "posters" });
  for (let i = 0; i < images.count; i++) {
    const file = join(dir, `poster_${String(i + 1).padStart(digits, "0")}.png`);
    const raw = images.pixels.subarray(i * bytes, (i + 1) * bytes);
    const png = await sharp(raw, { raw: { width: images.width, height: images.height, channels: 3 } })
      .png({ compressionLevel: 6 })
      .toBuffer();
    await writeFileAtomic(file, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
    files.push(file);
    progress.tick();
  }
  progress.finish();
  const kept = existing.filter((file) => !files.includes(file)).length;
  return { dir, files, kept, width: images.width, height: images.height, conditions: asked };
}
