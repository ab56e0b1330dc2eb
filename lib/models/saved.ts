/**
 * Saved models: a folder per trained model in `saved_models/`, named from its parameters.
 *
 * ```
 * saved_models/genres7_ratio30_v1_e2_1977-2017_bce/
 *   model.json      tfjs layers topology + weights manifest
 *   weights.bin     float32 weights
 *   metadata.json   SavedModelMetadata: configs, split counts, backend, history, timings, test metrics
 * ```
 *
 * Folders are written into `<name>.tmp-<pid>/` and renamed into place, so an interrupted save never
 * leaves a folder that looks complete. A crash between the renames leaves the complete copy beside the
 * name (`<name>.tmp-<pid>/` or `<name>.old-<pid>/`): loading, listing and reading metadata put it back
 * first ({@linkcode recoverSavedModel}) and say so.
 *
 * The tfjs `file://` handler needs tfjs-node, which can't load here, so {@linkcode folderIOHandler}
 * reads and writes the files itself.
 *
 * A damaged model is never used: loading refuses a weights.bin of the wrong size or with NaN or infinite
 * weights (what a diverged training leaves), and {@linkcode savedModelProblems} finds the same without
 * loading, for listings (`compare`, the default model of `predict` and `serve`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import {
  type DatasetConfig,
  type Genre,
  type ModelConfig,
  modelDefaults,
  REGRESSION_DEFAULTS,
  type RegressionTarget,
  SAVED_MODELS_DIR,
} from "../config.ts";
import type { EpochRecord, MultiLabelMetrics } from "./metadata.ts";
import {
  type FolderOptions,
  pathExists,
  recoverFolder,
  removeStaleTempFiles,
  writeFolderAtomically,
  writeJsonAtomically,
} from "../util/files.ts";
import type { Log } from "../util/log.ts";
import type { RegressionScalings } from "./targets.ts";
import type { BranchBlend } from "./blend.ts";
import { FEATURE_HEAD_DIR, loadFeatureExtractor } from "./feature_branch.ts";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";
const METADATA_JSON = "metadata.json";

/** Test-split results stored by `deno task evaluate`. */
export interface TestEvaluation {
  /** ISO time of the evaluation. */
  evaluatedAt: string;
  /** Dataset folder evaluated on. */
  dataDir: string;
  /** The split judged (absent in models evaluated before there was a choice: test). */
  split?: string;
  /** Backend that ran the predictions. */
  backend: string;
  /** The training loss on the test split. */
  loss: number;
  /** The model's metrics at the threshold chosen on validation. */
  model: MultiLabelMetrics;
  /** The frequency baseline's metrics at its own validation threshold. */
  baseline: MultiLabelMetrics;
  /** Inference speed. */
  imagesPerSecond: number;
  /** Each regression head's mean absolute error beside a baseline that predicts the training mean. */
  regression?: Partial<Record<RegressionTarget, RegressionEvaluation>>;
}

/** A regression head on the test split, in the target's units (years, score points). */
export interface RegressionEvaluation {
  /** Mean absolute error of the head. */
  mae: number;
  /** The training mean, the baseline's prediction for every poster. */
  baseline: number;
  /** Mean absolute error of the baseline. */
  baselineMae: number;
  /** Test posters whose film has a value. */
  count: number;
}

/** Everything known about a saved model besides its weights. */
export interface SavedModelMetadata {
  /** Folder name, from {@linkcode savedModelName}. */
  name: string;
  /** ISO time the model was saved. */
  savedAt: string;
  dataset: DatasetConfig;
  model: ModelConfig;
  /** Input size in pixels. */
  imageSize: { width: number; height: number };
  /** Output order of the sigmoid units. */
  genres: Genre[];
  /** Films per split used in training. */
  splitCounts: { train: number; validation: number };
  /** Share of training films having each genre (the frequency baseline's predictions). */
  trainGenreFrequencies: number[];
  /** Probability threshold with the best micro F1 on validation, for the model. */
  threshold: number;
  /** The same for the frequency baseline. */
  baselineThreshold: number;
  /** TensorFlow.js backend that trained it. */
  backend: string;
  /** One record per finished epoch, the best one and those after it. */
  history: EpochRecord[];
  /**
   * The epoch whose weights and validation threshold were saved: the lowest validation loss (absent in
   * models saved before it was recorded, which kept their last epoch).
   */
  bestEpoch?: number;
  /** Whether early stopping ended training before `model.epochs`. */
  stoppedEarly: boolean;
  /** Wall-clock figures of the training run. */
  timings: { trainSeconds: number; imagesPerSecond: number; totalSeconds: number };
  /** Filled by `deno task evaluate` (an undefined metric, NaN in memory, is stored as null: JSON has no NaN). */
  test?: TestEvaluation;
  /** Regression heads (year, rating) and their target scaling, when trained with `--targets`. */
  regression?: RegressionScalings;
  /** The pretrained branch's blend with the CNN, for a model trained with one (`model.featureBranch`). */
  blend?: BranchBlend;
}

/**
 * `genres7_ratio30_v1_e2_1977-2017_bce` (+ `_limit500` for a limited run, `_mirror`, `_aug` or `_noaug`
 * when the augmentation is not the version's usual one, `_year_rating` for a model with regression heads,
 * `_branch` or `_nobranch` when its pretrained branch is not the version's usual, `_seed7` for a seed other than the version's default, so runs of two seeds never share a name).
 */
export function savedModelName(dataset: DatasetConfig, model: ModelConfig): string {
  const loss = model.loss === "binary_crossentropy" ? "bce" : "cce";
  const limit = dataset.limit !== undefined ? `_limit${dataset.limit}` : "";
  const targets = model.targets?.length ? `_${model.targets.join("_")}` : "";
  // Augmentation other than the version's default gets a suffix, so an ablation doesn't overwrite.
  const usual = model.version === 4;
  const augment = model.augment?.mirror
    ? "_mirror"
    : (model.augment !== undefined) !== usual
    ? (model.augment ? "_aug" : "_noaug")
    : "";
  // A head weight other than the version's default gets a suffix too.
  const weightOf = (config: ModelConfig) => config.headWeight ?? REGRESSION_DEFAULTS.weight;
  const headWeight = targets && weightOf(model) !== weightOf(modelDefaults(model.version))
    ? `_hw${weightOf(model)}`
    : "";
  // So is a pretrained branch where the version has none, or none where it has one.
  const branch =
    (model.featureBranch !== undefined) === (modelDefaults(model.version).featureBranch !== undefined)
      ? ""
      : model.featureBranch
      ? "_branch"
      : "_nobranch";
  return `genres${dataset.genres.length}_ratio${dataset.ratio}_v${model.version}_e${model.epochs}_` +
    `${dataset.minYear}-${dataset.maxYear}_${loss}${limit}${augment}${targets}${headWeight}${branch}${
      seedSuffix(model)
    }`;
}

/** `_seed<N>` for a seed other than the version's default (lib/config.ts modelDefaults), else empty. */
export function seedSuffix(model: Pick<ModelConfig, "version" | "seed">): string {
  return model.seed === modelDefaults(model.version).seed ? "" : `_seed${model.seed}`;
}

/** A corrupt or incomplete model folder: the message names the file and what to do. */
export class SavedModelError extends Error {
  override name = "SavedModelError";
}

function corrupt(dir: string, file: string, problem: string): SavedModelError {
  return new SavedModelError(
    `Saved model ${dir} is unusable: ${join(dir, file)} ${problem}. Delete the folder and train the model ` +
      `again (deno task train ...), or restore it from a backup.`,
  );
}

/** A JSON file read back, or what is wrong with it (`is missing`, `is not valid JSON (...)`). */
async function readJsonChecked<T>(dir: string, file: string): Promise<{ value: T } | { problem: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, file));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { problem: "is missing" };
    throw error;
  }
  try {
    return { value: JSON.parse(text) as T };
  } catch (error) {
    return { problem: `is not valid JSON (${(error as Error).message})` };
  }
}

async function readJson<T>(dir: string, file: string): Promise<T> {
  const read = await readJsonChecked<T>(dir, file);
  if ("problem" in read) throw corrupt(dir, file, read.problem);
  return read.value;
}

/** Bytes a weights manifest needs in weights.bin. */
function manifestBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((sum, s) => sum + specBytes(s), 0);
}

/** Bytes of one weight in weights.bin: as stored, so a quantized one (e.g. float16) takes its stored size. */
function specBytes(spec: tf.io.WeightsManifestEntry): number {
  return spec.shape.reduce((a, b) => a * b, 1) * bytesPer(spec.quantization?.dtype ?? spec.dtype);
}

/** A weight stored as plain float32 (not quantized): the ones the non-finite check reads. */
function storedAsFloat32(spec: tf.io.WeightsManifestEntry): boolean {
  return spec.dtype === "float32" && spec.quantization === undefined;
}

/** Counts NaN and infinite float32 weights, and names the first weight holding one. */
class NonFiniteTally {
  count = 0;
  first?: string;
  add(name: string, values: Float32Array): void {
    let bad = 0;
    // x - x is 0 for every finite x, NaN for NaN and ±Infinity.
    for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) bad++;
    if (bad > 0) this.first ??= name;
    this.count += bad;
  }
  /** The problem, in the words of {@linkcode savedModelProblems}, or undefined. */
  problem(): string | undefined {
    if (this.count === 0) return undefined;
    return `holds ${this.count} NaN or infinite weight${this.count === 1 ? "" : "s"} (the first in ` +
      `${this.first}), as a training that diverged leaves them: train with a lower --learning-rate`;
  }
}

/** The non-finite float32 weights of a whole weights.bin in memory, as a problem, or undefined. */
function nonFiniteProblem(
  specs: readonly tf.io.WeightsManifestEntry[],
  bytes: Uint8Array,
): string | undefined {
  const tally = new NonFiniteTally();
  let offset = 0;
  for (const spec of specs) {
    const size = specBytes(spec);
    if (storedAsFloat32(spec)) {
      const start = bytes.byteOffset + offset;
      const values = start % 4 === 0
        ? new Float32Array(bytes.buffer, start, size / 4)
        : new Float32Array(bytes.slice(offset, offset + size).buffer);
      tally.add(spec.name, values);
    }
    offset += size;
  }
  return tally.problem();
}

/** A tfjs IOHandler that saves to and loads from `dir/model.json` + `dir/weights.bin`. */
export function folderIOHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = artifacts.weightData
        ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : new Uint8Array();
      if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(`Only layers models with a JSON topology can be saved to ${dir}.`);
      }
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeFile(join(dir, WEIGHTS_BIN), weights);
      await Deno.writeTextFile(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = await readJson<tf.io.ModelJSON>(dir, MODEL_JSON);
      if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
        throw corrupt(dir, MODEL_JSON, "has no modelTopology or weightsManifest");
      }
      return await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        let bytes: Uint8Array;
        try {
          bytes = await Deno.readFile(join(dir, WEIGHTS_BIN));
        } catch (error) {
          if (error instanceof Deno.errors.NotFound) throw corrupt(dir, WEIGHTS_BIN, "is missing");
          throw error;
        }
        const expected = manifestBytes(specs);
        if (bytes.byteLength !== expected) {
          throw corrupt(
            dir,
            WEIGHTS_BIN,
            `holds ${bytes.byteLength} bytes where model.json needs ${expected}`,
          );
        }
        const nonFinite = nonFiniteProblem(specs, bytes);
        if (nonFinite) throw corrupt(dir, WEIGHTS_BIN, nonFinite);
        return [specs, bytes.slice().buffer];
      });
    },
  };
}

function bytesPer(dtype: string): number {
  if (dtype === "float16" || dtype === "uint16") return 2;
  return dtype === "bool" || dtype === "uint8" ? 1 : dtype === "complex64" ? 8 : 4;
}

/**
 * What is wrong with the model files in `dir` (model.json and weights.bin, as {@linkcode saveModelFiles}
 * writes them), one line each, e.g. `weights.bin holds 1000 bytes where model.json needs 399496`;
 * empty when they are whole: model.json parses and has a topology and a weights manifest, weights.bin
 * has the manifest's size, and every float32 weight is finite. Cheap enough for every listing: it
 * reads weights.bin once, in pieces, and builds no model. (metadata.json is {@linkcode readMetadata}'s.)
 *
 * @example Leave out a damaged model
 * ```ts
 * import { savedModelProblems } from "./saved.ts";
 * const problems = await savedModelProblems("saved_models/genres7_ratio30_v4_e20_1977-2017_bce");
 * if (problems.length) console.error(`damaged: ${problems.join("; ")}`);
 * ```
 */
export async function savedModelProblems(dir: string): Promise<string[]> {
  const read = await readJsonChecked<tf.io.ModelJSON>(dir, MODEL_JSON);
  if ("problem" in read) return [`${MODEL_JSON} ${read.problem}`];
  const modelJson = read.value;
  const manifest = modelJson?.weightsManifest;
  if (
    !modelJson?.modelTopology || !Array.isArray(manifest) ||
    !manifest.every((group) =>
      Array.isArray(group?.weights) && group.weights.every((s) => Array.isArray(s?.shape))
    )
  ) {
    return [`${MODEL_JSON} has no modelTopology or weightsManifest`];
  }
  const specs = manifest.flatMap((group) => group.weights);
  const expected = manifestBytes(specs);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(join(dir, WEIGHTS_BIN));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [`${WEIGHTS_BIN} is missing`];
    throw error;
  }
  try {
    const size = (await file.stat()).size;
    if (size !== expected) {
      return [`${WEIGHTS_BIN} holds ${size} bytes where ${MODEL_JSON} needs ${expected}`];
    }
    const tally = new NonFiniteTally();
    const buffer = new Uint8Array(4 << 20); // a multiple of 4: float32 pieces stay whole and aligned
    for (const spec of specs) {
      for (let left = specBytes(spec); left > 0;) {
        const piece = buffer.subarray(0, Math.min(left, buffer.length));
        if (!(await readFully(file, piece))) return [`${WEIGHTS_BIN} ended before ${expected} bytes`];
        if (storedAsFloat32(spec) && piece.length % 4 === 0) {
          tally.add(spec.name, new Float32Array(buffer.buffer, 0, piece.length / 4));
        }
        left -= piece.length;
      }
    }
    const nonFinite = tally.problem();
    if (nonFinite) return [`${WEIGHTS_BIN} ${nonFinite}`];
  } finally {
    file.close();
  }
  const head = join(dir, FEATURE_HEAD_DIR);
  if (!(await pathExists(head))) return [];
  return (await savedModelProblems(head)).map((problem) => `${FEATURE_HEAD_DIR}/${problem}`);
}

/** Fills `into` from `file`; false when the file ends first. */
async function readFully(file: Deno.FsFile, into: Uint8Array): Promise<boolean> {
  for (let filled = 0; filled < into.length;) {
    const n = await file.read(into.subarray(filled));
    if (n === null) return false;
    filled += n;
  }
  return true;
}

/**
 * Throws a {@linkcode SavedModelError} naming the folder, each of its {@linkcode savedModelProblems}
 * and what to do, when the model files in `dir` are damaged.
 */
export async function checkSavedModel(dir: string): Promise<void> {
  const problems = await savedModelProblems(dir);
  if (problems.length) throw damagedModelError(dir, problems);
}

/** The error of a damaged model folder: `Saved model DIR is unusable: PROBLEM; PROBLEM. Delete ...`. */
export function damagedModelError(dir: string, problems: readonly string[]): SavedModelError {
  return new SavedModelError(
    `Saved model ${dir} is unusable: ${problems.join("; ")}. Delete the folder and train the model ` +
      `again (deno task train ...), or restore it from a backup.`,
  );
}

/** Saves a model's topology and weights into `dir` (not atomic on its own; see {@linkcode writeFolderAtomically}). */
export async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<void> {
  await model.save(folderIOHandler(dir));
}

/**
 * Options of {@linkcode writeFolderAtomically} and {@linkcode recoverFolder} for a folder that holds
 * just {@linkcode saveModelFiles}' files (model.json is written last).
 */
export function modelFolderOptions(log?: Log): FolderOptions {
  return { complete: (folder) => pathExists(join(folder, MODEL_JSON)), log };
}

/** Loads a model saved by {@linkcode saveModelFiles}; a damaged folder gives a {@linkcode SavedModelError}. */
export async function loadModelFiles(dir: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(folderIOHandler(dir));
  } catch (error) {
    if (error instanceof SavedModelError) throw error;
    throw corrupt(dir, MODEL_JSON, `could not be loaded by TensorFlow.js (${(error as Error).message})`);
  }
}

/** Folder of a saved model by name. */
export function savedModelDir(name: string, root = SAVED_MODELS_DIR): string {
  return join(root, name);
}

/**
 * Saves a trained model and its metadata as `root/<metadata.name>/`, atomically, with the head of its
 * pretrained branch in `feature_head/` when given; returns the folder.
 */
export async function saveGenreModel(
  model: tf.LayersModel,
  metadata: SavedModelMetadata,
  root = SAVED_MODELS_DIR,
  log?: Log,
  featureHead?: tf.LayersModel,
): Promise<string> {
  const dir = savedModelDir(metadata.name, root);
  await Deno.mkdir(root, { recursive: true });
  await writeFolderAtomically(dir, async (tmp) => {
    await saveModelFiles(model, tmp);
    if (featureHead) await saveModelFiles(featureHead, join(tmp, FEATURE_HEAD_DIR));
    await Deno.writeTextFile(join(tmp, METADATA_JSON), JSON.stringify(metadata, null, 2) + "\n");
  }, savedModelFolderOptions(log));
  return dir;
}

function savedModelFolderOptions(log: Log | undefined): FolderOptions {
  // metadata.json is written last: a copy from before completion markers is whole when it has one.
  return {
    complete: async (folder) =>
      await pathExists(join(folder, MODEL_JSON)) && await pathExists(join(folder, METADATA_JSON)),
    log,
  };
}

/**
 * Finishes a save of the model folder `dir` that a crash interrupted (see {@linkcode recoverFolder}),
 * saying what it did through `log`; returns that line, or undefined.
 */
export function recoverSavedModel(dir: string, log?: Log): Promise<string | undefined> {
  return recoverFolder(dir, savedModelFolderOptions(log));
}

/** Reads a saved model's metadata; a missing or damaged file gives a {@linkcode SavedModelError}. */
export async function readMetadata(dir: string, log?: Log): Promise<SavedModelMetadata> {
  await recoverSavedModel(dir, log);
  const metadata = await readJson<SavedModelMetadata>(dir, METADATA_JSON);
  for (const key of ["name", "dataset", "model", "genres", "imageSize"] as const) {
    if (metadata[key] === undefined) throw corrupt(dir, METADATA_JSON, `has no "${key}"`);
  }
  return metadata;
}

/** Replaces a saved model's metadata.json atomically (e.g. to add test metrics). */
export async function writeMetadata(dir: string, metadata: SavedModelMetadata, log?: Log): Promise<void> {
  await recoverSavedModel(dir, log);
  await removeStaleTempFiles(dir);
  await writeJsonAtomically(join(dir, METADATA_JSON), metadata);
}

/** A saved model loaded back: the tfjs model (the CNN), its metadata, its folder and its branch. */
export interface SavedGenreModel {
  model: tf.LayersModel;
  metadata: SavedModelMetadata;
  dir: string;
  /** The pretrained branch, for a model that has one (unless loaded without it). */
  branch?: LoadedBranch;
}

/** A model's pretrained branch loaded back: the frozen network, the trained head and the blend. */
export interface LoadedBranch {
  extractor: tf.LayersModel;
  head: tf.LayersModel;
  blend: BranchBlend;
}

/** Frees a loaded model's weights, its branch's too. */
export function disposeSavedModel(saved: Pick<SavedGenreModel, "model" | "branch">): void {
  saved.model.dispose();
  saved.branch?.extractor.dispose();
  saved.branch?.head.dispose();
}

/**
 * Loads `root/<name>/`; a damaged folder gives a {@linkcode SavedModelError} naming the file. Its
 * pretrained branch comes too unless `options.branch` is false (for uses of the CNN alone: Grad-CAM,
 * the GAN's quality figures).
 */
export async function loadGenreModel(
  name: string,
  root = SAVED_MODELS_DIR,
  log?: Log,
  options: { branch?: boolean } = {},
): Promise<SavedGenreModel> {
  const dir = savedModelDir(name, root);
  await recoverSavedModel(dir, log);
  if (!(await pathExists(dir))) {
    const known = await listSavedModels(root, log);
    throw new SavedModelError(
      `No saved model ${dir}. ` +
        (known.length ? `Saved models: ${known.join(", ")}.` : "Train one first: deno task train."),
    );
  }
  const metadata = await readMetadata(dir, log);
  const model = await loadModelFiles(dir);
  const outputs = model.outputs[0].shape[1];
  if (outputs !== metadata.genres.length) {
    model.dispose();
    throw corrupt(
      dir,
      MODEL_JSON,
      `has ${outputs} outputs but metadata.json lists ${metadata.genres.length} genres`,
    );
  }
  if (!metadata.blend || options.branch === false) return { model, metadata, dir };
  const head = await loadModelFiles(join(dir, FEATURE_HEAD_DIR)).catch((error) => {
    model.dispose();
    throw error;
  });
  const extractor = await loadFeatureExtractor(metadata.blend.imageSize, metadata.blend.config.network);
  return { model, metadata, dir, branch: { extractor, head, blend: metadata.blend } };
}

/**
 * Names of the complete saved models in `root` (folders with a metadata.json), sorted; saves that a
 * crash interrupted are finished first.
 */
export async function listSavedModels(root = SAVED_MODELS_DIR, log?: Log): Promise<string[]> {
  const names: string[] = [];
  const interrupted = new Set<string>();
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory) continue;
      const swap = /^(.+)\.(tmp|old)-\d+$/.exec(entry.name);
      if (swap) interrupted.add(swap[1]);
      else names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (const name of interrupted) {
    await recoverSavedModel(savedModelDir(name, root), log);
    if (!names.includes(name)) names.push(name);
  }
  const complete: string[] = [];
  for (const name of names) {
    if (await pathExists(join(root, name, METADATA_JSON))) complete.push(name);
  }
  return complete.sort();
}
