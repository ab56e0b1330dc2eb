/**
 * The record beside a shipped generator (`generator.json`, written by `deno task dcgan:export`): what
 * the page of `deno task serve` and `dcgan:sample` need to run it (size, noise length, condition
 * layout) and where it came from (the run's recipe, position and last quality figures, the command
 * and commit, a licence note). No TensorFlow.js here: the page reads it too.
 *
 * ```
 * models/generators/<run name>/
 *   model.json, weights.bin   the generator (the run's weight average when it keeps one), TF.js layers
 *   generator.json            GeneratorRecord
 *   classifier/               model.json, weights.bin: the discriminator's classifier, which picks among
 *                             candidate posters (choose_posters.ts); runs without one have none
 * ```
 *
 * @module
 */
import type { ConditionLayout } from "../models/condition_layout.ts";
import type { DcganShape } from "../config.ts";
import type { QualityRecord } from "./quality_cnn.ts";
import type { RunMetadata } from "./run.ts";

/** The record's file name in a shipped generator's folder. */
export const GENERATOR_RECORD = "generator.json";

/** The subfolder of a shipped generator's folder that holds the classifier choosing among candidates. */
export const CHOOSER_FOLDER = "classifier";

/** The format {@linkcode GeneratorRecord.format} that this code writes and reads. */
export const GENERATOR_RECORD_FORMAT = 1;

/** What the weights are: the terms they come with. */
export const GENERATOR_LICENCE =
  "The weights are numbers learnt from film posters (studio artwork, copyright of their owners; labels " +
  "from IMDb via Kaggle, research-only data that is not in this repository). Use them and the posters " +
  "they make for learning and research.";

/** `generator.json`. */
export interface GeneratorRecord {
  format: number;
  /** The run's name (runs/dcgan/<name>/). */
  name: string;
  /** Image size the generator makes, pixels. */
  width: number;
  height: number;
  /** Length of its noise input. */
  latentDim: number;
  /** Its condition vector's layout (genres multi-hot, then decades one-hot); absent when unconditional. */
  condition?: ConditionLayout;
  /** Which network of the checkpoint: the weight average, or the trained generator (runs without one). */
  weights: "average" | "generator";
  /** The networks as the run built them. */
  shape: DcganShape;
  /** From the run's metadata.json, when it has one. */
  run?: {
    startedAt: string;
    updatedAt: string;
    step: number;
    epoch: number;
    finished: boolean;
    training: RunMetadata["training"];
    dataset: { key: string; selection: RunMetadata["dataset"]["selection"]; count: number };
    backend: string;
    trainSeconds: number;
    /** The last epoch's quality figures, when it measured them. */
    quality?: QualityRecord;
    frechetFloor?: RunMetadata["frechetFloor"];
  };
  /** The command that trained it and the commit of that code, as given to dcgan:export. */
  trainedBy?: { command?: string; commit?: string };
  /** When it was exported, and the commit checked out then. */
  exported: { at: string; commit?: string };
  /** Bytes of model.json + weights.bin. */
  bytes: number;
  /**
   * The discriminator's classifier in {@linkcode CHOOSER_FOLDER}/, stored as the generator is
   * (`storage.dtype`): a poster to its genres' and decade's logits, which picks the best of several
   * candidates (choose_posters.ts). Absent when the run's discriminator has no classifier of its own.
   */
  classifier?: { folder: string; bytes: number; genres: number };
  /**
   * How weights.bin stores the weights: float32, or float16 (half the bytes; TF.js reads them back as
   * float32). For float16, how far its posters are from the float32 generator's: the largest and mean
   * difference of a pixel value (0-255) over `posters` posters of `genre` and `decade` from seed `seed`.
   */
  storage: {
    dtype: "float32" | "float16";
    pixelDifference?: {
      max: number;
      mean: number;
      posters: number;
      genre?: string;
      decade?: number;
      seed: number;
    };
  };
  licence: string;
}

/** `Sci-Fi 1980s, 64x96, 100-long noise` and the like: how the page and CLI name what a generator does. */
export function describeGenerator(record: GeneratorRecord): string {
  const condition = record.condition
    ? `${record.condition.genres.length} genres x ${record.condition.decades.length} decades`
    : "unconditional";
  const trained = record.run ? `, ${record.run.step} steps (${record.run.epoch} epochs)` : "";
  return `${record.name}: ${record.width}x${record.height}, ${condition}${trained}`;
}

/** What is wrong with a parsed generator.json (empty when it can be used), e.g. `has no "latentDim"`. */
export function generatorRecordProblems(record: unknown): string[] {
  if (typeof record !== "object" || record === null) return ["is not a JSON object"];
  const r = record as Partial<GeneratorRecord>;
  if (typeof r.format !== "number" || r.format > GENERATOR_RECORD_FORMAT) {
    return [
      `has format ${r.format}, which this posterlab does not read (${GENERATOR_RECORD_FORMAT}): update it`,
    ];
  }
  const problems: string[] = [];
  for (const key of ["name", "width", "height", "latentDim"] as const) {
    if (r[key] === undefined) problems.push(`has no "${key}"`);
  }
  if (r.condition && !(Array.isArray(r.condition.genres) && Array.isArray(r.condition.decades))) {
    problems.push(`has a "condition" without "genres" and "decades" lists`);
  }
  return problems;
}
