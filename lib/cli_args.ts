/**
 * Command-line flags for every `deno task`: one parser, typed results, errors that name the flag.
 *
 * ```ts
 * const flags = parseArgs(Deno.args, {
 *   epochs: { type: "number", help: "passes over the training split" },
 *   resume: { type: "boolean", help: "continue from the last checkpoint" },
 * });
 * ```
 *
 * @module
 */
import {
  BACKEND_ORDER,
  type BackendName,
  type DatasetConfig,
  DEFAULT_AUGMENT,
  DEFAULT_CHECKPOINT_EVERY_BATCHES,
  DEFAULT_DATASET,
  DEFAULT_FEATURE_BRANCH,
  DEFAULT_THREADS,
  FEATURE_NETWORKS,
  type FeatureBranchConfig,
  type FeatureNetwork,
  genreGroup,
  imageSize,
  MAX_POSTER_BYTES,
  MODEL_VERSIONS,
  type ModelConfig,
  modelConfigProblems,
  modelDefaults,
  type ModelVersion,
  type OptimizerName,
  optimizerOf,
  OPTIMIZERS,
  RECOMMENDED_MODEL_VERSION,
  REGRESSION_DEFAULTS,
  SAVED_MODELS_DIR,
  type ScheduleName,
  scheduleOf,
  SCHEDULES,
  SHIPPED_MODELS_DIR,
} from "./config.ts";
import { LOSS_SHORT_NAMES, parseLossName } from "./models/losses.ts";
import { parseTargets } from "./models/targets.ts";
import { TrainingInterrupted } from "./training/run.ts";
import { stopOnInterrupt } from "./util/interrupt.ts";
import { trainGenreModel, trainingSummaryLines, type TrainOptions, type TrainResult } from "./genre/train.ts";
import { saveTrainingCurves } from "./plots/training.ts";
import { folderNameProblem } from "./training/run.ts";

/** How one flag is read. */
export interface FlagSpec {
  /** `string`, `number`, `boolean` (no value), or `list` (comma-separated strings). */
  type: "string" | "number" | "boolean" | "list";
  /** One line for `--help`. */
  help: string;
  /** Value when the flag is absent. */
  default?: string | number | boolean | readonly string[];
}

/** Specs by flag name (without `--`). */
export type FlagSpecs = Record<string, FlagSpec>;

type ValueOf<S extends FlagSpec> = S["type"] extends "number" ? number
  : S["type"] extends "boolean" ? boolean
  : S["type"] extends "list" ? string[]
  : string;

/** Parsed flags: each present (or defaulted) flag with its type; `_` holds positional arguments. */
export type Flags<T extends FlagSpecs> = { [K in keyof T]?: ValueOf<T[K]> } & { _: string[] };

/** Thrown for a bad command line; CLIs print its message and exit with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Options of {@linkcode parseArgs}. */
export interface ParseOptions {
  /** The command takes arguments besides flags (e.g. files); without it any is a UsageError. */
  positional?: boolean;
}

/**
 * Reads `args` against `specs`. Accepts `--name value`, `--name=value`; kebab-case names. A flag not in
 * `specs` (`--nme`, or a short one like `-e`) is a UsageError naming it, and so is an argument that is
 * no flag's value unless `options.positional` (then they are in `_`).
 */
export function parseArgs<T extends FlagSpecs>(
  args: string[],
  specs: T,
  options: ParseOptions = {},
): Flags<T> {
  const result: Record<string, unknown> = { _: [] as string[] };
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.default !== undefined) result[name] = spec.default;
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (/^-[^-]/.test(arg)) {
      throw new UsageError(
        `Unknown flag ${arg.split("=")[0]}: flags are long, e.g. --epochs 3. Known flags:\n${usage(specs)}`,
      );
    }
    if (!arg.startsWith("--")) {
      if (!options.positional) {
        throw new UsageError(
          `Unexpected argument "${arg}": this command takes only flags` +
            (i > 0 && args[i - 1].startsWith("--") && !args[i - 1].includes("=")
              ? ` (${args[i - 1]} takes no value)`
              : "") +
            `. Known flags:\n${usage(specs)}`,
        );
      }
      (result._ as string[]).push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) {
      throw new UsageError(`Unknown flag --${name}. Known flags:\n${usage(specs)}`);
    }
    if (spec.type === "boolean") {
      result[name] = eq > 0 ? !["false", "0", "no"].includes(arg.slice(eq + 1)) : true;
      continue;
    }
    const text = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (text === undefined || (eq < 0 && text.startsWith("--"))) {
      throw new UsageError(`Flag --${name} needs a value (${spec.help}).`);
    }
    if (spec.type === "number") {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw new UsageError(`Flag --${name} needs a number, got "${text}" (${spec.help}).`);
      }
      result[name] = value;
    } else if (spec.type === "list") {
      result[name] = text.split(",").map((s) => s.trim()).filter(Boolean);
    } else {
      result[name] = text;
    }
  }
  return result as Flags<T>;
}

/** The `--help` text of `specs`, one flag a line, the help texts in one column past the longest flag. */
export function usage(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const value = spec.type === "boolean"
      ? ""
      : spec.type === "list"
      ? " A,B,..."
      : ` ${spec.type.toUpperCase()}`;
    const fallback = spec.default !== undefined ? ` (default ${spec.default})` : "";
    return { flag: `  --${name}${value}`, help: spec.help + fallback };
  });
  const width = Math.max(28, ...rows.map((row) => row.flag.length + 2));
  return rows.map((row) => row.flag.padEnd(width) + row.help).join("\n");
}

/** The dataset flags every command that reads the dataset takes. */
export const DATASET_FLAGS = {
  "data-dir": { type: "string", help: "dataset folder", default: DEFAULT_DATASET.dataDir },
  "min-year": { type: "number", help: "first release year kept", default: DEFAULT_DATASET.minYear },
  "max-year": { type: "number", help: "last release year kept", default: DEFAULT_DATASET.maxYear },
  genres: { type: "number", help: "genre group: 3, 7 or 14", default: DEFAULT_DATASET.genres.length },
  ratio: { type: "number", help: "poster size in percent of 182x268", default: DEFAULT_DATASET.ratio },
  limit: { type: "number", help: "at most this many movies per split (quick runs)" },
} as const satisfies FlagSpecs;

/** Builds a {@linkcode DatasetConfig} from flags parsed with {@linkcode DATASET_FLAGS}. */
export function datasetConfigFromArgs(flags: Flags<typeof DATASET_FLAGS>): DatasetConfig {
  const config: DatasetConfig = {
    dataDir: flags["data-dir"] ?? DEFAULT_DATASET.dataDir,
    minYear: flags["min-year"] ?? DEFAULT_DATASET.minYear,
    maxYear: flags["max-year"] ?? DEFAULT_DATASET.maxYear,
    genres: genreGroup(flags.genres ?? DEFAULT_DATASET.genres.length),
    ratio: flags.ratio ?? DEFAULT_DATASET.ratio,
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
  };
  if (config.minYear > config.maxYear) {
    throw new UsageError(`--min-year ${config.minYear} is after --max-year ${config.maxYear}.`);
  }
  if (config.limit !== undefined && (config.limit < 1 || !Number.isInteger(config.limit))) {
    throw new UsageError(`--limit needs a positive whole number, got ${config.limit}.`);
  }
  imageSize(config.ratio); // throws a clear error for a bad ratio
  return config;
}

/** The flags of every command that picks a TensorFlow.js backend. */
export const BACKEND_FLAGS = {
  backend: {
    type: "string",
    help: `force a backend: ${BACKEND_ORDER.join(", ")} (default: the first that loads)`,
  },
  threads: {
    type: "number",
    help: `threads of the native backend, at most the ${DEFAULT_THREADS} cores here (default: every core)`,
    default: DEFAULT_THREADS,
  },
} as const satisfies FlagSpecs;

/** The backend choice of flags parsed with {@linkcode BACKEND_FLAGS}; a bad name or count is a UsageError. */
export function backendFromArgs(
  flags: Flags<typeof BACKEND_FLAGS>,
): { name: BackendName | undefined; threads: number } {
  if (flags.backend !== undefined && !(BACKEND_ORDER as readonly string[]).includes(flags.backend)) {
    throw new UsageError(`--backend ${flags.backend} is unknown: use one of ${BACKEND_ORDER.join(", ")}.`);
  }
  const threads = flags.threads ?? DEFAULT_THREADS;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UsageError(`--threads needs a whole number of at least 1, got ${flags.threads}.`);
  }
  const cores = navigator.hardwareConcurrency || 1;
  if (threads > cores) {
    // More threads than cores only contend: oneDNN and OpenBLAS run many times slower.
    throw new UsageError(
      `--threads ${threads} is more than the ${cores} cores of this machine: give at most --threads ${cores} ` +
        `(or leave it out to use every core).`,
    );
  }
  return { name: flags.backend as BackendName | undefined, threads };
}

/**
 * `value` of the flag `--<flag>` when it is a plain folder name (lib/training/run.ts
 * folderNameProblem: no `/`, no `..`, no leading `.`), else a UsageError: names that become folders
 * (`--name` of train and dcgan:*) stay inside their parent folder.
 */
export function folderNameFromArgs(value: string, flag: string): string {
  const problem = folderNameProblem(value);
  if (problem) throw new UsageError(`--${flag} "${value}" ${problem}: give a plain folder name.`);
  return value;
}

/** The folder of saved models, one flag for every command that reads or writes them. */
export const MODELS_DIR_FLAG = {
  "models-dir": { type: "string", help: "folder of saved models", default: SAVED_MODELS_DIR },
} as const satisfies FlagSpecs;

/** The folder of the models that come with posterlab: `deno task predict` and `deno task serve`. */
export const SHIPPED_DIR_FLAG = {
  "shipped-dir": {
    type: "string",
    help: "folder of the models that come with posterlab, ranked with those of --models-dir",
    default: SHIPPED_MODELS_DIR,
  },
} as const satisfies FlagSpecs;

/** The size limit of a poster from a URL: `deno task data --download`, `deno task predict`, the main job. */
export const MAX_POSTER_FLAG = {
  "max-poster-mb": {
    type: "number",
    help: "most megabytes one poster from a URL may have, counted after decoding",
    default: MAX_POSTER_BYTES / 1e6,
  },
} as const satisfies FlagSpecs;

/** The bytes `--max-poster-mb` allows (of {@linkcode MAX_POSTER_FLAG}); a UsageError unless positive. */
export function maxPosterBytesFromArgs(flags: Flags<typeof MAX_POSTER_FLAG>): number {
  const mb = flags["max-poster-mb"] ?? MAX_POSTER_BYTES / 1e6;
  if (!(mb > 0)) throw new UsageError(`--max-poster-mb needs a positive number of megabytes, got ${mb}.`);
  return Math.round(mb * 1e6);
}

/** Where the dataset comes from, for `deno task data` and the main job. */
export const DATA_SOURCE_FLAGS = {
  from: { type: "string", help: "import a folder holding MovieGenre.csv and posters/<imdbId>.jpg" },
  download: { type: "boolean", help: "fetch missing posters from the CSV's Poster URLs" },
  ...MAX_POSTER_FLAG,
} as const satisfies FlagSpecs;

/**
 * A setting's default per model version, from lib/config.ts, for help texts: `2` when every version
 * shares it, else `v1-3: 2, v4: 15`.
 */
function versionDefaults(show: (config: ModelConfig) => unknown): string {
  const groups: { versions: number[]; text: string }[] = [];
  for (const version of MODEL_VERSIONS) {
    const text = String(show(modelDefaults(version)));
    const last = groups.at(-1);
    if (last?.text === text) last.versions.push(version);
    else groups.push({ versions: [version], text });
  }
  if (groups.length === 1) return groups[0].text;
  return groups.map(({ versions, text }) =>
    `v${versions.length > 1 ? `${versions[0]}-${versions.at(-1)}` : versions[0]}: ${text}`
  ).join(", ");
}

/**
 * The flags of a {@linkcode ModelConfig} (`deno task train`, the main job). A flag left out takes the
 * default of the chosen version ({@linkcode modelDefaults}); the version's own default is
 * {@linkcode RECOMMENDED_MODEL_VERSION}.
 */
export const MODEL_FLAGS = {
  epochs: {
    type: "number",
    help: `passes over the training split (default ${versionDefaults((c) => c.epochs)})`,
  },
  version: {
    type: "number",
    help: "model version: 1 (the original's, 3x3 kernels), 2 (10% of width), 3 (20%), 4 (the modern recipe)",
    default: RECOMMENDED_MODEL_VERSION,
  },
  targets: {
    type: "list",
    help: `what the model predicts: genres, plus year and/or rating (regression heads) (default ${
      versionDefaults((c) => ["genres", ...(c.targets ?? [])].join(","))
    })`,
  },
  loss: {
    type: "string",
    help: `bce (binary cross-entropy) or cce (the original's categorical) (default ${
      versionDefaults((c) => LOSS_SHORT_NAMES[c.loss])
    })`,
  },
  batch: { type: "number", help: `images per step (default ${versionDefaults((c) => c.batchSize)})` },
  "learning-rate": {
    type: "number",
    help: `learning rate, the peak of a cosine schedule (default ${versionDefaults((c) => c.learningRate)})`,
  },
  optimizer: {
    type: "string",
    help: `${OPTIMIZERS.join(" or ")} (default ${versionDefaults(optimizerOf)})`,
  },
  "weight-decay": {
    type: "number",
    help: `AdamW's decoupled weight decay (default ${versionDefaults((c) => c.weightDecay ?? 0)})`,
  },
  schedule: {
    type: "string",
    help: `${SCHEDULES.join(" or ")} (cosine: warm-up then decay, AdamW only; default ${
      versionDefaults(scheduleOf)
    })`,
  },
  warmup: {
    type: "number",
    help: `warm-up epochs of the cosine schedule (default ${versionDefaults((c) => c.warmupEpochs ?? 0)})`,
  },
  augment: {
    type: "boolean",
    help: `random shifts, zoom and colour changes (default ${
      versionDefaults((c) => c.augment ? "on" : "off")
    })`,
  },
  mirror: {
    type: "boolean",
    help: `with --augment: also mirror left-right at random (default ${
      versionDefaults((c) => (c.augment ?? DEFAULT_AUGMENT).mirror ? "on" : "off")
    })`,
  },
  dropout: {
    type: "number",
    help: `v4: dropout before the output layer (default ${modelDefaults(4).dropout})`,
  },
  "head-weight": {
    type: "number",
    help: `weight of each year/rating head's loss beside the genres' (default ${
      versionDefaults((c) => c.headWeight ?? REGRESSION_DEFAULTS.weight)
    })`,
  },
  "feature-branch": {
    type: "boolean",
    help: `blend in a head on frozen pretrained networks (nsfwjs) at full poster size (default ${
      versionDefaults((c) => c.featureBranch ? "on" : "off")
    })`,
  },
  "branch-network": {
    type: "string",
    help: `the branch's frozen networks: ${FEATURE_NETWORKS.join(" or ")} (default ${
      versionDefaults((c) => c.featureBranch?.network ?? "none")
    })`,
  },
  "branch-refit": {
    type: "boolean",
    help:
      `once the blend is chosen, train the branch's head again on training and validation posters (default ${
        versionDefaults((c) => c.featureBranch ? (c.featureBranch.refit ? "on" : "off") : "no branch")
      })`,
  },
  "test-time-mirror": {
    type: "boolean",
    help: `answers average each poster with its mirror image (default ${
      versionDefaults((c) => c.testTimeMirror ? "on" : "off")
    })`,
  },
  patience: {
    type: "number",
    help: `early stopping: epochs without better val_loss, 0: off (default ${
      versionDefaults((c) => c.earlyStoppingPatience)
    })`,
  },
  seed: { type: "number", help: `seed of weights and shuffling (default ${versionDefaults((c) => c.seed)})` },
} as const satisfies FlagSpecs;

/** The flag of each {@linkcode ModelConfig} setting, to name it in a usage error. */
const MODEL_SETTING_FLAGS: Record<keyof ModelConfig, keyof typeof MODEL_FLAGS> = {
  version: "version",
  epochs: "epochs",
  batchSize: "batch",
  learningRate: "learning-rate",
  loss: "loss",
  earlyStoppingPatience: "patience",
  seed: "seed",
  targets: "targets",
  optimizer: "optimizer",
  weightDecay: "weight-decay",
  schedule: "schedule",
  warmupEpochs: "warmup",
  augment: "augment",
  dropout: "dropout",
  headWeight: "head-weight",
  featureBranch: "feature-branch",
  testTimeMirror: "test-time-mirror",
};

/**
 * Builds a {@linkcode ModelConfig} from flags parsed with {@linkcode MODEL_FLAGS}: the version's
 * defaults, overridden by each flag given. Settings a version leaves absent stay absent, so a v1-3
 * config reads as it did before they existed. Whatever lib/config.ts `modelConfigProblems` finds is a
 * UsageError naming the flags.
 */
export function modelConfigFromArgs(flags: Flags<typeof MODEL_FLAGS>): ModelConfig {
  const defaults = modelDefaults((flags.version ?? RECOMMENDED_MODEL_VERSION) as ModelVersion);
  let loss;
  try {
    loss = flags.loss === undefined ? defaults.loss : parseLossName(flags.loss);
  } catch (error) {
    throw new UsageError(`--loss: ${(error as Error).message}`);
  }
  let targets;
  try {
    targets = flags.targets !== undefined ? parseTargets(flags.targets) : [...(defaults.targets ?? [])];
  } catch (error) {
    throw new UsageError(`--targets: ${(error as Error).message}`);
  }
  const augmenting = flags.augment ?? (defaults.augment !== undefined || flags.mirror === true);
  const augment = augmenting
    ? {
      ...(defaults.augment ?? DEFAULT_AUGMENT),
      ...(flags.mirror !== undefined ? { mirror: flags.mirror } : {}),
    }
    : undefined;
  const config: ModelConfig = {
    ...defaults,
    epochs: flags.epochs ?? defaults.epochs,
    batchSize: flags.batch ?? defaults.batchSize,
    learningRate: flags["learning-rate"] ?? defaults.learningRate,
    loss,
    earlyStoppingPatience: flags.patience ?? defaults.earlyStoppingPatience,
    seed: flags.seed ?? defaults.seed,
    ...(targets.length ? { targets } : {}),
    optimizer: (flags.optimizer as OptimizerName | undefined) ?? defaults.optimizer,
    weightDecay: flags["weight-decay"] ?? defaults.weightDecay,
    schedule: (flags.schedule as ScheduleName | undefined) ?? defaults.schedule,
    warmupEpochs: flags.warmup ?? defaults.warmupEpochs,
    augment,
    dropout: flags.dropout ?? defaults.dropout,
    headWeight: flags["head-weight"] ?? defaults.headWeight,
    featureBranch: featureBranchFromArgs(flags, defaults),
    testTimeMirror: flags["test-time-mirror"] ?? defaults.testTimeMirror,
  };
  for (const key of Object.keys(config) as (keyof ModelConfig)[]) {
    if (config[key] === undefined) delete config[key];
  }
  const problems = modelConfigProblems(config);
  if (problems.length) {
    throw new UsageError(
      problems.map(({ setting, problem }) => `--${MODEL_SETTING_FLAGS[setting]} ${problem}`).join(" "),
    );
  }
  return config;
}

/**
 * The branch that `--feature-branch`, `--branch-network` and `--branch-refit` ask for, over the version's
 * default.
 */
function featureBranchFromArgs(
  flags: Flags<typeof MODEL_FLAGS>,
  defaults: ModelConfig,
): FeatureBranchConfig | undefined {
  const network = flags["branch-network"];
  const refit = flags["branch-refit"];
  if (network !== undefined && !(FEATURE_NETWORKS as readonly string[]).includes(network)) {
    throw new UsageError(`--branch-network ${network} is not one of ${FEATURE_NETWORKS.join(", ")}.`);
  }
  if (flags["feature-branch"] === false) {
    for (const [flag, value] of [["--branch-network", network], ["--branch-refit", refit]] as const) {
      if (value !== undefined) {
        throw new UsageError(`${flag} needs a branch: leave out --feature-branch=false.`);
      }
    }
    return undefined;
  }
  const on = flags["feature-branch"] === true || network !== undefined || refit !== undefined;
  const branch = on ? (defaults.featureBranch ?? DEFAULT_FEATURE_BRANCH) : defaults.featureBranch;
  if (!branch) return undefined;
  return {
    ...branch,
    ...(network !== undefined ? { network: network as FeatureNetwork } : {}),
    ...(refit !== undefined ? { refit } : {}),
  };
}

/** Everything `deno task train` takes; the main job takes these too. */
export const TRAIN_FLAGS = {
  ...DATASET_FLAGS,
  ...MODEL_FLAGS,
  ...BACKEND_FLAGS,
  resume: { type: "boolean", help: "continue an interrupted run from its checkpoint" },
  ...MODELS_DIR_FLAG,
  name: {
    type: "string",
    help: "save the model (and keep its run) under this folder name instead of the one made of the flags",
  },
  force: { type: "boolean", help: "replace a saved model of the same name (refused without it)" },
  "checkpoint-every": {
    type: "number",
    help: "also checkpoint every N batches (0: epoch ends only)",
    default: DEFAULT_CHECKPOINT_EVERY_BATCHES,
  },
} as const satisfies FlagSpecs;

/** The options of lib/genre/train.ts `trainGenreModel` that flags parsed with {@linkcode TRAIN_FLAGS} set. */
export function trainOptionsFromArgs(
  flags: Flags<typeof TRAIN_FLAGS>,
): Pick<TrainOptions, "resume" | "savedModelsDir" | "checkpointEveryBatches" | "name" | "force"> {
  return {
    resume: flags.resume ?? false,
    savedModelsDir: flags["models-dir"] ?? SAVED_MODELS_DIR,
    checkpointEveryBatches: flags["checkpoint-every"] ?? DEFAULT_CHECKPOINT_EVERY_BATCHES,
    ...(flags.name !== undefined ? { name: folderNameFromArgs(flags.name, "name") } : {}),
    force: flags.force ?? false,
  };
}

/**
 * Runs a CLI's main function: `--help` prints usage; a {@linkcode UsageError} or any other error
 * prints its message (no stack trace for bad input) and exits non-zero. A command without flags
 * (empty `specs`) refuses any argument; the others refuse unknown ones in {@linkcode parseArgs}.
 */
export async function runCli(
  description: string,
  specs: FlagSpecs,
  main: () => Promise<void> | void,
): Promise<void> {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(`${description}\n\n${usage(specs)}`);
    return;
  }
  try {
    if (Object.keys(specs).length === 0 && Deno.args.length > 0) {
      throw new UsageError(`Unexpected argument "${Deno.args[0]}": this command takes no arguments.`);
    }
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message}`);
    if (!(error instanceof UsageError) && Deno.env.get("POSTERLAB_DEBUG")) console.error(error);
    Deno.exit(error instanceof UsageError ? 2 : 1);
  }
}

/**
 * Runs a training `work` with Ctrl-C (and SIGTERM) wired to its stop signal: the first one lets the
 * run write a checkpoint and stop before its next step, and the command then exits 130 with the run's
 * message (how to resume); a second one quits at once.
 */
export async function trainInterruptibly<T>(
  notice: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = stopOnInterrupt(notice);
  try {
    return await work(stop.signal);
  } catch (error) {
    if (error instanceof TrainingInterrupted) {
      console.error(error.message);
      Deno.exit(130);
    }
    throw error;
  } finally {
    stop.dispose();
  }
}

/**
 * The training step of `deno task train` and of the main job: trains with Ctrl-C wired
 * ({@linkcode trainInterruptibly}), saves the training curves beside the model and prints the summary.
 * Returns the result with its model already released.
 */
export async function trainGenreCommand(
  dataset: DatasetConfig,
  model: ModelConfig,
  options: TrainOptions,
  backendName: string,
): Promise<TrainResult> {
  // Ctrl-C or a kill: finish the current batch, write a checkpoint, then stop; a second one quits now.
  const result = await trainInterruptibly(
    "stopping after this batch (a checkpoint will be written; rerun with --resume)...",
    (signal) => trainGenreModel(dataset, model, { ...options, signal }),
  );
  result.model.dispose();
  const curves = await saveTrainingCurves(result.dir, result.metadata);
  for (const line of trainingSummaryLines(result, backendName, curves)) console.log(line);
  return result;
}
