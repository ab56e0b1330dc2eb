/**
 * Generators that come with posterlab: `deno task dcgan:export` writes a run's generator (its weight
 * average when it keeps one) into a self-contained folder, `models/generators/<run name>/` by default,
 * which `dcgan:sample` falls back to when no run of that name exists and the page of `deno task serve`
 * runs in the browser. The folder's layout is in generator_record.ts.
 *
 * @example Export a run, then load it back
 * ```ts
 * import { exportGenerator, loadShippedGenerator } from "./shipped.ts";
 * const { dir } = await exportGenerator({ runDir: "runs/dcgan/cdcgan64x96", outDir: "/tmp/g" });
 * const { model, record } = await loadShippedGenerator(dir);
 * console.log(record.width, record.height, model.inputs.length); // 64 96 2
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import {
  DEFAULT_DCGAN_SAMPLE,
  MAKE_POSTER_DEFAULTS,
  SHIPPED_GENERATORS_SUBDIR,
  SHIPPED_MODELS_DIR,
} from "../config.ts";
import { pathExists, readTextIfExists, recoverFolder, writeFolderAtomically } from "../util/files.ts";
import { CONDITION_LAYOUT, portableGenerator, resolveShape } from "../models/dcgan.ts";
import { loadModelFiles, savedModelProblems, saveModelFiles } from "../models/saved.ts";
import { quantizeFolderToFloat16 } from "../models/float16.ts";
import { makePosters } from "./make_posters.ts";
import { GAN_PARTS, loadChooser, loadGenerator, samplingPart } from "./checkpoint.ts";
import { plainDiscriminator, plainGenerator } from "./growth.ts";
import type { PosterChooser } from "./choose_posters.ts";
import {
  CHOOSER_FOLDER,
  GENERATOR_LICENCE,
  GENERATOR_RECORD,
  GENERATOR_RECORD_FORMAT,
  type GeneratorRecord,
  generatorRecordProblems,
} from "./generator_record.ts";
import { readRunMetadata, runPaths } from "./run.ts";

/** The folder of shipped generators inside a shipped-models folder (`models/generators`). */
export function shippedGeneratorsDir(shippedDir: string = SHIPPED_MODELS_DIR): string {
  return join(shippedDir, SHIPPED_GENERATORS_SUBDIR);
}

/** What {@linkcode exportGenerator} is asked. */
export interface ExportRequest {
  /** The run, runs/dcgan/<name>/. */
  runDir: string;
  /** The folder to write (replaced whole, atomically). */
  outDir: string;
  /** Replace `outDir` when it exists; without it an existing folder is an error. */
  force?: boolean;
  trainedBy?: GeneratorRecord["trainedBy"];
  /** The commit checked out while exporting. */
  commit?: string;
  /** Store the weights as float16 (half the bytes), and measure how much that changes the posters. */
  float16?: boolean;
}

/** Exports a run's generator; returns the folder and its record. */
export async function exportGenerator(
  request: ExportRequest,
): Promise<{ dir: string; record: GeneratorRecord }> {
  const { runDir, outDir } = request;
  const metadata = await readRunMetadata(runDir);
  const checkpoint = runPaths(runDir).checkpoint;
  if (!metadata || !(await pathExists(checkpoint))) {
    throw new Error(
      `${runDir} has no ${metadata ? "checkpoint" : "metadata.json"}: train the run first ` +
        `(deno task dcgan:train --name ...), or name another with --name.`,
    );
  }
  if (!request.force && await pathExists(outDir)) {
    throw new Error(`${outDir} exists already: pass --force to replace it, or pick another --out.`);
  }
  const loaded = await loadGenerator(checkpoint);
  // A grown run's networks ship as the plain networks of its full size.
  const grown = (metadata.shape.growFrom ?? 0) > 0 ? resolveShape(metadata.shape) : undefined;
  const plain = grown ? plainGenerator(loaded, grown) : loaded;
  if (grown) loaded.dispose();
  // Made of TensorFlow.js's own layers, so the page's TensorFlow.js loads it.
  const model = portableGenerator(plain, resolveShape(metadata.shape));
  plain.dispose();
  const chooser = await loadChooser(
    checkpoint,
    grown ? (discriminator) => plainDiscriminator(discriminator, grown) : undefined,
  );
  try {
    const averaged = await samplingPart(checkpoint) === GAN_PARTS.average;
    const shape = resolveShape(metadata.shape);
    const last = metadata.quality.at(-1);
    const record: GeneratorRecord = {
      format: GENERATOR_RECORD_FORMAT,
      name: metadata.name,
      width: shape.width,
      height: shape.height,
      latentDim: shape.latentDim,
      ...(metadata.conditional ? { condition: CONDITION_LAYOUT } : {}),
      weights: averaged ? "average" : "generator",
      shape,
      run: {
        startedAt: metadata.startedAt,
        updatedAt: metadata.updatedAt,
        step: metadata.step,
        epoch: metadata.epoch,
        finished: metadata.finished,
        training: metadata.training,
        dataset: {
          key: metadata.dataset.key,
          selection: metadata.dataset.selection,
          count: metadata.dataset.count,
        },
        backend: metadata.backend,
        trainSeconds: metadata.timings.trainSeconds,
        ...(last ? { quality: last } : {}),
        ...(metadata.frechetFloor ? { frechetFloor: metadata.frechetFloor } : {}),
      },
      ...(request.trainedBy ? { trainedBy: request.trainedBy } : {}),
      exported: { at: new Date().toISOString(), ...(request.commit ? { commit: request.commit } : {}) },
      bytes: 0,
      storage: { dtype: request.float16 ? "float16" : "float32" },
      licence: GENERATOR_LICENCE,
    };
    await writeFolderAtomically(outDir, async (tmp) => {
      await saveModelFiles(model, tmp);
      if (request.float16) {
        await quantizeFolderToFloat16(tmp);
        record.storage.pixelDifference = await float16Difference(model, tmp, record);
      }
      record.bytes = await folderBytes(tmp);
      if (chooser) {
        const folder = join(tmp, CHOOSER_FOLDER);
        await saveModelFiles(chooser.classifier, folder);
        if (request.float16) await quantizeFolderToFloat16(folder);
        record.classifier = {
          folder: CHOOSER_FOLDER,
          bytes: await folderBytes(folder),
          genres: chooser.genres,
        };
      }
      // Written last: a folder with a generator.json is whole.
      await Deno.writeTextFile(join(tmp, GENERATOR_RECORD), JSON.stringify(record, null, 2) + "\n");
    }, generatorFolderOptions());
    return { dir: outDir, record };
  } finally {
    model.dispose();
    chooser?.classifier.dispose();
  }
}

/** Bytes of a model folder's model.json and weights.bin. */
async function folderBytes(dir: string): Promise<number> {
  return (await Deno.stat(join(dir, "model.json"))).size + (await Deno.stat(join(dir, "weights.bin"))).size;
}

/** How far the float16 copy in `dir` draws from `model`: pixel differences over one grid of posters. */
async function float16Difference(
  model: tf.LayersModel,
  dir: string,
  record: GeneratorRecord,
): Promise<NonNullable<GeneratorRecord["storage"]["pixelDifference"]>> {
  const { genre, decade, rows, columns } = MAKE_POSTER_DEFAULTS;
  const asked = { genres: [genre], decade, count: rows * columns, seed: 1 };
  const half = await loadModelFiles(dir);
  try {
    const [full, halved] = [
      await makePosters(tf, model, record, asked),
      await makePosters(tf, half, record, asked),
    ];
    let max = 0;
    let sum = 0;
    for (let i = 0; i < full.pixels.length; i++) {
      const d = Math.abs(full.pixels[i] - halved.pixels[i]);
      max = Math.max(max, d);
      sum += d;
    }
    return {
      max,
      mean: sum / full.pixels.length,
      posters: asked.count,
      ...(record.condition ? { genre, decade } : {}),
      seed: asked.seed,
    };
  } finally {
    half.dispose();
  }
}

function generatorFolderOptions() {
  return { complete: (folder: string) => pathExists(join(folder, GENERATOR_RECORD)) };
}

/** Reads a generator folder's generator.json; an error names the file and what is wrong. */
export async function readGeneratorRecord(dir: string): Promise<GeneratorRecord> {
  await recoverFolder(dir, generatorFolderOptions());
  const path = join(dir, GENERATOR_RECORD);
  const text = await readTextIfExists(path);
  if (text === undefined) {
    throw new Error(
      `${path} is missing: ${dir} is no exported generator (deno task dcgan:export makes one).`,
    );
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}): export the generator again.`);
  }
  const problems = generatorRecordProblems(record);
  if (problems.length) throw new Error(`${path} ${problems.join("; ")}: export the generator again.`);
  return record as GeneratorRecord;
}

/**
 * What is wrong with a generator folder (its record, model.json and weights.bin), one line each; empty
 * when it can be served and loaded.
 */
export async function generatorProblems(dir: string): Promise<string[]> {
  let record: GeneratorRecord;
  try {
    record = await readGeneratorRecord(dir);
  } catch (error) {
    return [(error as Error).message];
  }
  const folders = [dir, ...(record.classifier ? [join(dir, record.classifier.folder)] : [])];
  const problems = await Promise.all(folders.map(savedModelProblems));
  return problems.flatMap((found, i) => found.map((problem) => `${folders[i]}: ${problem}`));
}

/** A generator folder loaded: the TF.js model, its record, and its classifier when it has one. */
export interface ShippedGenerator {
  dir: string;
  record: GeneratorRecord;
  model: tf.LayersModel;
  chooser?: PosterChooser;
}

/** Loads an exported generator folder; a damaged one gives an error naming the file. */
export async function loadShippedGenerator(dir: string): Promise<ShippedGenerator> {
  const record = await readGeneratorRecord(dir);
  const model = await loadModelFiles(dir);
  if (!record.classifier) return { dir, record, model };
  const classifier = await loadModelFiles(join(dir, record.classifier.folder));
  return { dir, record, model, chooser: { classifier, genres: record.classifier.genres } };
}

/** The names of the exported generators in `shippedDir`'s generators folder, sorted. */
export async function listShippedGenerators(shippedDir: string = SHIPPED_MODELS_DIR): Promise<string[]> {
  const root = shippedGeneratorsDir(shippedDir);
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory || /\.(tmp|old)-\d+$/.test(entry.name)) continue;
      if (await pathExists(join(root, entry.name, GENERATOR_RECORD))) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

/**
 * The shipped generator to use: the one named `name` when there is one, else (when `name` is only the
 * default, `exact` false) the first shipped one; undefined when none fits.
 */
export async function findShippedGenerator(
  shippedDir: string,
  name: string,
  exact: boolean,
): Promise<string | undefined> {
  const names = await listShippedGenerators(shippedDir);
  const chosen = names.includes(name) ? name : exact ? undefined : names[0];
  return chosen === undefined ? undefined : join(shippedGeneratorsDir(shippedDir), chosen);
}

/** The generator the page serves: its folder, or none (with why, when one was left out as damaged). */
export interface GeneratorChoice {
  dir?: string;
  record?: GeneratorRecord;
  /** A shipped generator left out because it is damaged: what is wrong. */
  skipped?: string;
}

/**
 * The generator of `deno task serve`: `asked` (a folder dcgan:export wrote, or the name of a shipped
 * one) when given, where a missing or damaged one is an error; else the shipped one of the default
 * run's name or the first shipped one, where a damaged one is left out and named in `skipped`.
 */
export async function chooseGenerator(
  asked: string | undefined,
  shippedDir: string,
): Promise<GeneratorChoice> {
  let dir: string | undefined;
  if (asked !== undefined) {
    dir = await pathExists(join(asked, GENERATOR_RECORD))
      ? asked
      : join(shippedGeneratorsDir(shippedDir), asked);
    if (!(await pathExists(dir))) {
      throw new Error(
        `--generator ${asked} is neither a folder with ${GENERATOR_RECORD} nor a generator in ` +
          `${
            shippedGeneratorsDir(shippedDir)
          }: export one with deno task dcgan:export --name RUN [--out DIR].`,
      );
    }
  } else {
    dir = await findShippedGenerator(shippedDir, DEFAULT_DCGAN_SAMPLE.run, false);
    if (!dir) return {};
  }
  const problems = await generatorProblems(dir);
  if (problems.length) {
    const message = `generator ${dir} is unusable: ${problems.join("; ")}`;
    if (asked !== undefined) throw new Error(`${message}. Export it again (deno task dcgan:export --force).`);
    return { skipped: message };
  }
  return { dir, record: await readGeneratorRecord(dir) };
}
