/**
 * Generating posters from a trained generator: images as uint8 batches for grids, the conditional
 * query "a Sci-Fi poster of the 1980s", and folders of one PNG per poster (for `deno task fid`),
 * answered by a run's generator or, on a fresh clone, by the shipped one (shipped.ts). The posters
 * themselves come from make_posters.ts, the code the page of `deno task serve` runs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { basename, join } from "node:path";
import sharp from "sharp";
import { type DcganShape, DEFAULT_DCGAN_SAMPLE } from "../config.ts";
import { CONDITION_LAYOUT, decadeOf, parseGenre } from "../models/dcgan.ts";
import { conditionFromLayout, type ConditionLayout } from "../models/condition_layout.ts";
import { imageFilesIn } from "../images/folder.ts";
import { pathExists, writeFileAtomic } from "../util/files.ts";
import { loadModelFiles } from "../models/saved.ts";
import { seededRandom } from "../util/random.ts";
import { Progress } from "../util/progress.ts";
import { GAN_PARTS, loadChooser, loadGenerator, samplingPart } from "./checkpoint.ts";
import { writeGrid } from "./grid.ts";
import type { ImageBatch } from "./grid_layout.ts";
import { type GeneratorInputs, makePosters, pixelBytes, posterBatches } from "./make_posters.ts";
import { defaultCandidates } from "./choose_posters.ts";
import { readSetIndex } from "./prepare.ts";
import { readRunMetadata, type RunMetadata, runPaths } from "./run.ts";
import { findShippedGenerator, loadShippedGenerator, shippedGeneratorsDir } from "./shipped.ts";

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
  const bytes = pixelBytes(tf, images);
  const pixels = Uint8Array.from(bytes.dataSync());
  bytes.dispose();
  return { count, height, width, pixels };
}

/** What `deno task dcgan:sample` asks for. */
export interface SampleRequest {
  runDir: string;
  /** Genres and decade to ask a conditional generator for; a folder (`outDir`) may leave both out. */
  genres?: string[];
  decade?: number;
  count: number;
  seed: number;
  /** The truncation trick's factor on the noise, in (0, 1]; default DEFAULT_DCGAN_SAMPLE's. */
  truncation?: number;
  /**
   * Candidates per poster, the discriminator's classifier keeping the one that reads most surely as
   * asked (choose_posters.ts); default DEFAULT_DCGAN_SAMPLE's when the generator has a classifier to
   * choose with, else 1 (the draw as it comes). More than 1 without a classifier is an error.
   */
  candidates?: number;
  /** Posters per grid row; default the square root of `count`, rounded up. */
  columns?: number;
  /** Output PNG; default `<run>/samples/<genres>_<decade>s_seed<seed>.png`. */
  out?: string;
  /** Write one PNG per poster into this folder instead of a grid (see {@linkcode samplePosters}). */
  outDir?: string;
  /** With `outDir`: write into a folder that already holds images. */
  force?: boolean;
  /**
   * When the run has no metadata.json (a fresh clone): the shipped-models folder whose generators
   * answer instead (shipped.ts), the one of the run's name, else (unless `exactName`) the first.
   */
  shippedDir?: string;
  /** The run's name was asked for (--name), so no other shipped generator may answer. */
  exactName?: boolean;
  /**
   * Sample the generator the run saved at the end of this epoch (`generators/epoch_NNN/`) instead of its
   * latest; one candidate only, since the run keeps only its latest discriminator to choose with.
   */
  epoch?: number;
}

/** Which generator answered a sample request. */
export type SampleSource =
  | { kind: "run"; runDir: string; step: number; averaged: boolean; epoch?: number }
  | { kind: "shipped"; dir: string; name: string };

/** `runs/dcgan/x (the weight average after 100 steps)` or `x [shipped with posterlab] (models/...)`. */
export function describeSource(source: SampleSource): string {
  return source.kind === "run"
    ? `run ${source.runDir} (${
      source.averaged ? "its weight average" : "its generator"
    } after ${source.step} steps${
      source.epoch === undefined ? "" : `, as saved at the end of epoch ${source.epoch}`
    })`
    : `${source.name} [shipped with posterlab] (${source.dir})`;
}

/** Which of a run's generators answers, and how far its training had gone. */
interface RunGenerator {
  model: tf.LayersModel;
  averaged: boolean;
  step: number;
  /** Set when the generator is one the run saved at an epoch's end rather than its latest. */
  epoch?: number;
  chooser?: GeneratorInputs["chooser"];
}

/** The run's latest generator (its weight average when it keeps one), with its classifier unless one candidate is asked. */
async function latestRunGenerator(
  runDir: string,
  metadata: RunMetadata,
  candidates?: number,
): Promise<RunGenerator> {
  const checkpoint = runPaths(runDir).checkpoint;
  const model = await loadGenerator(checkpoint);
  const averaged = await samplingPart(checkpoint) === GAN_PARTS.average;
  const chooser = metadata.conditional && candidates !== 1 ? await loadChooser(checkpoint) : undefined;
  return { model, averaged, step: metadata.step, ...(chooser ? { chooser } : {}) };
}

/** A run's generator as it was saved at the end of `epoch` (the weight average when the run keeps one). */
async function epochRunGenerator(
  runDir: string,
  metadata: RunMetadata,
  epoch: number,
  candidates: number | undefined,
): Promise<RunGenerator> {
  if (candidates !== undefined && candidates !== 1) {
    throw new Error(
      `--epoch draws one candidate per poster: the run keeps only its latest discriminator, whose classifier ` +
        `did not judge epoch ${epoch}'s generator. Leave out --candidates or give --candidates 1.`,
    );
  }
  const dir = runPaths(runDir).epochGenerator(epoch);
  if (!Number.isInteger(epoch) || epoch < 1 || !(await pathExists(join(dir, "model.json")))) {
    throw new Error(
      `${runDir} has no generator of epoch ${epoch}: it saved one at the end of each of epochs 1 to ` +
        `${metadata.epoch} (generators/epoch_NNN/).`,
    );
  }
  return {
    model: await loadModelFiles(dir),
    averaged: metadata.training.averageDecay > 0,
    step: epoch * metadata.dataset.stepsPerEpoch,
    epoch,
  };
}

/** The training set a generator learned from, as its run recorded it (dcgan:prepare's index). */
export interface TrainedOn {
  key: string;
  dataDir: string;
}

/**
 * A generator opened for a request: the model, its inputs, where it came from, what it learned from,
 * and its networks' shape and seed (as its run recorded them; a shipped generator's record may lack
 * the seed).
 */
export interface OpenGenerator {
  model: tf.LayersModel;
  inputs: GeneratorInputs;
  source: SampleSource;
  trainedOn?: TrainedOn;
  shape: DcganShape;
  seed?: number;
  /** How far its training had gone. */
  position: { step: number; epoch: number };
}

/**
 * The generator for a request: the run's, else a shipped one. Unconditional generators are refused
 * unless `unconditional` (a folder of posters needs no condition; a grid is of a genre and decade).
 */
export async function openGenerator(request: SampleRequest, unconditional = false): Promise<OpenGenerator> {
  const refuse = (what: string): never => {
    throw new Error(`${what} is unconditional: train one with --conditional to ask for genres and decades.`);
  };
  const metadata = await readRunMetadata(request.runDir);
  if (request.epoch !== undefined && !metadata) {
    throw new Error(
      `--epoch needs a run: ${request.runDir} has no metadata.json (a shipped generator has no epochs).`,
    );
  }
  if (metadata) {
    if (!metadata.conditional && !unconditional) refuse(`Run ${request.runDir}`);
    const { model, averaged, step, epoch, chooser } = request.epoch === undefined
      ? await latestRunGenerator(request.runDir, metadata, request.candidates)
      : await epochRunGenerator(request.runDir, metadata, request.epoch, request.candidates);
    return {
      model,
      inputs: {
        latentDim: metadata.shape.latentDim,
        ...(metadata.conditional ? { condition: CONDITION_LAYOUT } : {}),
        ...(chooser ? { chooser } : {}),
      },
      source: {
        kind: "run",
        runDir: request.runDir,
        step,
        averaged,
        ...(epoch !== undefined ? { epoch } : {}),
      },
      trainedOn: { key: metadata.dataset.key, dataDir: metadata.dataset.selection.dataDir },
      shape: metadata.shape,
      seed: metadata.training.seed,
      position: { step, epoch: epoch ?? metadata.epoch },
    };
  }
  const name = basename(request.runDir);
  const shipped = request.shippedDir
    ? await findShippedGenerator(request.shippedDir, name, request.exactName ?? false)
    : undefined;
  if (!shipped) {
    throw new Error(
      `${request.runDir} has no metadata.json` +
        (request.shippedDir
          ? ` and ${shippedGeneratorsDir(request.shippedDir)} has no generator ${name}`
          : "") +
        `: train one with deno task dcgan:train, or export one with deno task dcgan:export.`,
    );
  }
  const { model, record, chooser } = await loadShippedGenerator(shipped);
  if (!record.condition && !unconditional) {
    model.dispose();
    chooser?.classifier.dispose();
    refuse(`The generator in ${shipped}`);
  }
  const set = record.run?.dataset;
  return {
    model,
    inputs: {
      latentDim: record.latentDim,
      ...(record.condition ? { condition: record.condition } : {}),
      ...(chooser ? { chooser } : {}),
    },
    source: { kind: "shipped", dir: shipped, name: record.name },
    shape: record.shape,
    ...(record.run ? { seed: record.run.training.seed } : {}),
    position: { step: record.run?.step ?? 0, epoch: record.run?.epoch ?? 0 },
    ...(set ? { trainedOn: { key: set.key, dataDir: set.selection.dataDir } } : {}),
  };
}

/** Frees an opened generator's networks. */
export function closeGenerator(opened: OpenGenerator): void {
  opened.model.dispose();
  opened.inputs.chooser?.classifier.dispose();
}

/** How posters are drawn: candidates per poster and the truncation factor on the noise. */
export interface Sampling {
  candidates: number;
  truncation: number;
}

/**
 * A request's sampling: what it asks, else the defaults (DEFAULT_DCGAN_SAMPLE), whose candidates apply
 * only to a generator that comes with a classifier to choose with.
 */
export function requestSampling(request: SampleRequest, opened: OpenGenerator): Sampling {
  const candidates = request.candidates ?? defaultCandidates(opened.inputs.chooser);
  return { candidates, truncation: request.truncation ?? DEFAULT_DCGAN_SAMPLE.truncation };
}

/** `each the best of 8 draws (the discriminator's classifier chose), truncation 0.8` and the like. */
export function describeSampling(sampling: Sampling): string {
  const draws = sampling.candidates === 1
    ? "one draw each"
    : `each the best of ${sampling.candidates} draws (the discriminator's classifier chose)`;
  return `${draws}, truncation ${sampling.truncation}`;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`--count needs a positive whole number, got ${count}.`);
  }
}

/** Writes a grid of conditional samples for a trained run; returns the PNG's path. */
export async function sampleConditional(request: SampleRequest): Promise<string> {
  return (await sampleWithSource(request)).out;
}

/**
 * Writes a grid of conditional samples for a trained run, or the shipped generator when the run has
 * none and `shippedDir` is given; returns the PNG's path and which generator answered.
 */
export async function sampleWithSource(
  request: SampleRequest,
): Promise<{ out: string; source: SampleSource; sampling: Sampling }> {
  checkCount(request.count);
  if (!request.genres?.length || request.decade === undefined) {
    throw new Error("A grid asks for a genre and a decade: give both (--genre Sci-Fi --decade 1980).");
  }
  const genres = request.genres.map(parseGenre);
  const decade = decadeOf(request.decade);
  const opened = await openGenerator(request);
  const { model, inputs, source } = opened;
  const sampling = requestSampling(request, opened);
  let images: ImageBatch;
  try {
    images = await makePosters(tf, model, inputs, {
      genres,
      decade,
      count: request.count,
      seed: request.seed,
      ...sampling,
    });
  } finally {
    closeGenerator(opened);
  }
  const columns = Math.min(request.count, request.columns ?? Math.ceil(Math.sqrt(request.count)));
  const out = request.out ??
    join(runPaths(request.runDir).samples, `${genres.join("-")}_${decade}s_seed${request.seed}.png`);
  await writeGrid(out, images, {
    rows: Math.ceil(request.count / columns),
    columns,
    posterAspect: images.width === images.height,
  });
  return { out, source, sampling };
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
  /** Which generator drew them, and how. */
  source: SampleSource;
  sampling: Sampling;
}

/**
 * Each poster's condition: the genres and decade of a random poster of the generator's training set
 * (seeded), read from the index dcgan:prepare wrote.
 */
async function trainingMix(
  opened: OpenGenerator,
  layout: ConditionLayout,
  count: number,
  seed: number,
): Promise<{ conditions: Float32Array[]; asked: string }> {
  const set = opened.trainedOn;
  if (!set) {
    throw new Error(
      `${describeSource(opened.source)} has no record of its training set, whose posters give the ` +
        `conditions: ask with --genre and --decade.`,
    );
  }
  const index = await readSetIndex(set.dataDir, set.key).catch(() => {
    throw new Error(
      `The generator's training set ${set.key} is not in ${set.dataDir}/gan/ (its posters give the ` +
        `conditions): run dcgan:prepare with the run's selection again, or ask with --genre and --decade.`,
    );
  });
  const movies = index.movies;
  const random = seededRandom(seed + 1);
  const conditions = Array.from({ length: count }, () => {
    const movie = movies[Math.floor(random() * movies.length)];
    return conditionFromLayout(layout, movie.genres, movie.year);
  });
  return { conditions, asked: `the genres and decades of random posters of ${set.key}` };
}

/**
 * Writes `count` posters as `poster_0001.png` ... into `outDir`, each at the generator's own size, a
 * batch at a time (make_posters.ts), from the run or, when it has none, the shipped generator. A
 * conditional generator gets the asked genres and decade, or without them each poster the genres and
 * decade of a random training poster of its set (the set's own mix, as the quality figures ask), so
 * that a comparison with the real posters (`deno task fid`) compares like with like. A folder that
 * already holds images is refused unless `force` (fid reads every image of a folder).
 */
export async function samplePosters(request: SampleRequest & { outDir: string }): Promise<PosterFolder> {
  checkCount(request.count);
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
  const opened = await openGenerator(request, true);
  const { model, inputs, source } = opened;
  const sampling = requestSampling(request, opened);
  try {
    const layout = inputs.condition;
    if (!layout && decade !== undefined) {
      throw new Error(
        `${describeSource(source)} is unconditional: leave out --genre and --decade, or sample a ` +
          `conditional run.`,
      );
    }
    let asked = "unconditional";
    let conditions: Float32Array[] | undefined;
    if (layout && decade !== undefined) {
      asked = `${genres.join("/")} of the ${decade}s`;
    } else if (layout) {
      ({ conditions, asked } = await trainingMix(opened, layout, request.count, request.seed));
    }
    const poster = {
      genres,
      ...(decade === undefined ? {} : { decade }),
      ...(conditions ? { conditions } : {}),
    };
    const digits = Math.max(4, String(request.count).length);
    const files: string[] = [];
    let size = { width: 0, height: 0 };
    const progress = new Progress("dcgan:sample", request.count, { unit: "posters" });
    const batches = posterBatches(tf, model, inputs, {
      ...poster,
      count: request.count,
      seed: request.seed,
      ...sampling,
    });
    for await (const batch of batches) {
      const { width, height } = batch;
      size = { width, height };
      const bytes = width * height * 3;
      for (let i = 0; i < batch.count; i++) {
        const file = join(dir, `poster_${String(files.length + 1).padStart(digits, "0")}.png`);
        const raw = batch.pixels.subarray(i * bytes, (i + 1) * bytes);
        const png = await sharp(raw, { raw: { width, height, channels: 3 } })
          .png({ compressionLevel: 6 })
          .toBuffer();
        await writeFileAtomic(file, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
        files.push(file);
        progress.tick();
      }
    }
    progress.finish();
    const kept = existing.filter((file) => !files.includes(file)).length;
    return { dir, files, kept, ...size, conditions: asked, source, sampling };
  } finally {
    closeGenerator(opened);
  }
}
