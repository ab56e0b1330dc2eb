/**
 * `deno task dcgan:train [--size 64x96] [--epochs N] [--decay-epochs N] [--batch 64] [--rows 6]
 * [--columns 10] [--sample-rate 2] [--backend NAME] [--threads N] [--resume] [--conditional]
 * [--name NAME] ...`
 *
 * Trains a DCGAN on the set `deno task dcgan:prepare` made, into runs/dcgan/<name>/. Ctrl-C saves a
 * checkpoint; --resume continues. The work is in lib/gan/train.ts.
 */
import { initBackend } from "../lib/backend/mod.ts";
import {
  BACKEND_FLAGS,
  backendFromArgs,
  folderNameFromArgs,
  parseArgs,
  runCli,
  trainInterruptibly,
  UsageError,
} from "../lib/cli_args.ts";
import {
  type Augmentation,
  dcganGrowthProblems,
  type DcganTrainingConfig,
  dcganTrainingProblems,
  DEFAULT_DATASET,
  DEFAULT_DCGAN_SHAPE,
  DEFAULT_DCGAN_TRAINING,
  DEFAULT_OBJECTIVE,
  type DiscriminatorConditioning,
  type GanLoss,
  type GeneratorConditioning,
  type Upsampling,
} from "../lib/config.ts";
import { readTrainingSet } from "../lib/gan/prepare.ts";
import { loadQualityCnn } from "../lib/gan/quality_cnn.ts";
import { describeQuality, remeasureRun } from "../lib/gan/generator_quality.ts";
import { trainDcgan } from "../lib/gan/train.ts";
import { describeJudged, loadInceptionJudge } from "../lib/gan/inception_distance.ts";
import { runFolder } from "../lib/training/run.ts";
import { AUGMENTATIONS } from "../lib/gan/augment.ts";
import { CONDITION_SIZE, parseDcganSize, POSTER_SIZES, sizeName } from "../lib/models/dcgan.ts";

const DEFAULTS = DEFAULT_DCGAN_TRAINING;

const FLAGS = {
  size: {
    type: "string",
    help: `image WIDTHxHEIGHT: posters ${POSTER_SIZES.join(", ")}; squares 32x32, 64x64`,
    default: sizeName(DEFAULT_DCGAN_SHAPE),
  },
  epochs: { type: "number", help: "passes over the training set", default: DEFAULTS.epochs },
  "decay-epochs": {
    type: "number",
    help: "the last N epochs decay the learning rate linearly to 0 (0: constant)",
    default: DEFAULTS.decayEpochs,
  },
  batch: { type: "number", help: "posters per step", default: DEFAULTS.batchSize },
  "learning-rate": {
    type: "number",
    help: "Adam's learning rate of both networks (Radford et al.)",
    default: DEFAULTS.learningRate,
  },
  "discriminator-learning-rate": {
    type: "number",
    help: "the discriminator's own learning rate (two time-scales; default: --learning-rate)",
  },
  beta1: { type: "number", help: "Adam's first-moment decay (Radford et al.)", default: DEFAULTS.beta1 },
  beta2: {
    type: "number",
    help: "Adam's second-moment decay for both networks (default 0.999, Adam's own; SAGAN's is 0.9)",
  },
  rows: { type: "number", help: "rows of the sample grid", default: DEFAULTS.gridRows },
  columns: { type: "number", help: "columns of the sample grid", default: DEFAULTS.gridColumns },
  "sample-rate": {
    type: "number",
    help: "a sample grid every this many steps",
    default: DEFAULTS.sampleRate,
  },
  filters: {
    type: "number",
    help: "filters of the widest layer (paper: 64)",
    default: DEFAULT_DCGAN_SHAPE.filters,
  },
  conditional: { type: "boolean", help: "feed genres and decade to both networks (for dcgan:sample)" },
  conditioning: {
    type: "string",
    help: "how the conditional discriminator sees the condition: projection or input",
    default: DEFAULT_DCGAN_SHAPE.conditioning,
  },
  "generator-conditioning": {
    type: "string",
    help: "how the conditional generator takes the condition: modulated (conditional batch norm) or input",
    default: DEFAULT_DCGAN_SHAPE.generatorConditioning,
  },
  "skip-excitation": {
    type: "boolean",
    help: "FastGAN's skip-layer excitation in the generator: coarse maps gate the fine maps' channels " +
      `(default ${DEFAULT_DCGAN_SHAPE.skipExcitation ? "on; --skip-excitation=false: off" : "off"})`,
  },
  reconstruct: {
    type: "boolean",
    help: "FastGAN's self-supervised discriminator: decoders rebuild real posters from its feature maps " +
      `(default ${DEFAULT_DCGAN_SHAPE.reconstruct ? "on; --reconstruct=false: off" : "off"})`,
  },
  "minibatch-std": {
    type: "boolean",
    help: "ProGAN's minibatch standard deviation: the discriminator sees how varied each group of 4 is " +
      `(default ${DEFAULT_DCGAN_SHAPE.minibatchStd ? "on; --minibatch-std=false: off" : "off"})`,
  },
  style: {
    type: "boolean",
    help: "a StyleGAN2-style generator: a mapping network and modulated convolutions in place of batch norm",
  },
  "generator-filters": {
    type: "number",
    help: "the generator's own --filters, wider or narrower than the discriminator's (0: --filters)",
    default: DEFAULT_DCGAN_SHAPE.generatorFilters,
  },
  "full-size-filters": {
    type: "number",
    help: "channels of a convolution block at the poster's full size before the RGB one (0: none)",
    default: DEFAULT_DCGAN_SHAPE.fullSizeFilters,
  },
  "grow-from": {
    type: "string",
    help: "progressive growing: start at this smaller poster size (e.g. 16x24) and grow by 2x to --size",
  },
  "grow-epochs": {
    type: "number",
    help: "progressive growing: epochs each smaller size trains (the next fades in over half as many)",
    default: DEFAULT_DCGAN_SHAPE.growEpochs,
  },
  upsampling: {
    type: "string",
    help: "generator upsampling: resize (nearest 2x + 3x3 conv) or transposed (the paper's)",
    default: DEFAULT_DCGAN_SHAPE.upsampling,
  },
  "spectral-norm": {
    type: "boolean",
    help: "spectral normalisation in the discriminator (replaces its batch norm)",
  },
  loss: { type: "string", help: "bce (the paper's) or hinge", default: DEFAULT_OBJECTIVE.loss },
  "real-label": {
    type: "number",
    help: "cross-entropy target of real posters (1: no label smoothing)",
    default: DEFAULT_OBJECTIVE.realLabel,
  },
  augment: {
    type: "string",
    help: `DiffAugment of the discriminator's inputs: a comma list of ${AUGMENTATIONS.join(", ")}, or none`,
    default: (DEFAULT_OBJECTIVE.augment ?? []).join(",") || "none",
  },
  "no-classifier": {
    type: "boolean",
    help: "conditional: no AC-GAN head (by default the discriminator also names the genres and decade)",
  },
  "class-weight": {
    type: "number",
    help: "conditional: weight of the AC-GAN head's loss in the generator's (how hard it is pushed to " +
      "make the asked genre and decade recognisable)",
    default: DEFAULT_OBJECTIVE.classWeight,
  },
  "decade-weight": {
    type: "number",
    help: "conditional: weight of the decade's part of that loss, where it should differ from " +
      "--class-weight (the genres' part)",
  },
  projected: {
    type: "boolean",
    help: "a second discriminator on a frozen MobileNetV2's features at four scales (projected GAN)",
  },
  "average-decay": {
    type: "number",
    help: "decay of the generator weight average that samples come from (0: off)",
    default: DEFAULT_OBJECTIVE.averageDecay,
  },
  name: {
    type: "string",
    help: "run folder under runs/dcgan/, a plain name (default dcgan<W>x<H> or cdcgan<W>x<H>, " +
      "_seed<N> added for a seed other than the default)",
  },
  resume: { type: "boolean", help: "continue the run from its checkpoint" },
  ...BACKEND_FLAGS,
  "checkpoint-every": {
    type: "number",
    help: "a checkpoint every this many steps, and at each epoch end (0: epoch ends only)",
    default: DEFAULTS.checkpointEvery,
  },
  "quality-model": { type: "string", help: "saved genre CNN for the quality figures (default: first saved)" },
  "quality-samples": {
    type: "number",
    help: "posters per Fréchet distance (real and generated)",
    default: DEFAULTS.qualitySamples,
  },
  "no-quality": { type: "boolean", help: "skip the quality figures" },
  inception: {
    type: "boolean",
    help: "at the end, also deno task fid's InceptionV3 distance and floor (768 images: minutes on 2 cores)",
  },
  "quality-only": {
    type: "boolean",
    help: "don't train: measure the run's saved epochs again (e.g. with a new CNN)",
  },
  seed: { type: "number", help: "seed of weights, noise and order", default: DEFAULTS.seed },
  "data-dir": { type: "string", help: "dataset folder (holds gan/)", default: DEFAULT_DATASET.dataDir },
  set: { type: "string", help: "training set key under data/gan/ (default: the last prepared)" },
} as const;

/** The flag of each training setting, for naming it in errors. */
const TRAINING_FLAGS: Record<keyof DcganTrainingConfig, string> = {
  epochs: "epochs",
  decayEpochs: "decay-epochs",
  batchSize: "batch",
  learningRate: "learning-rate",
  discriminatorLearningRate: "discriminator-learning-rate",
  beta1: "beta1",
  beta2: "beta2",
  gridRows: "rows",
  gridColumns: "columns",
  sampleRate: "sample-rate",
  checkpointEvery: "checkpoint-every",
  seed: "seed",
  qualitySamples: "quality-samples",
};

function positiveInteger(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--${flag} needs a positive whole number, got ${value}.`);
  }
  return value;
}

await runCli("Train a DCGAN (optionally conditional) on the prepared posters.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
  let size: { width: number; height: number };
  try {
    size = parseDcganSize(flags.size!);
  } catch (error) {
    throw new UsageError(`--size: ${(error as Error).message}`);
  }
  const oneOf = <T extends string>(flag: string, value: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new UsageError(`--${flag} ${value} is unknown: use ${allowed.join(" or ")}.`);
    }
    return value as T;
  };
  const upsampling = oneOf<Upsampling>("upsampling", flags.upsampling!, ["resize", "transposed"]);
  const conditioning = oneOf<DiscriminatorConditioning>("conditioning", flags.conditioning!, [
    "projection",
    "input",
  ]);
  const generatorConditioning = oneOf<GeneratorConditioning>(
    "generator-conditioning",
    flags["generator-conditioning"]!,
    ["modulated", "input"],
  );
  const loss = oneOf<GanLoss>("loss", flags.loss!, ["bce", "hinge"]);
  const realLabel = flags["real-label"]!;
  if (!(realLabel > 0.5 && realLabel <= 1)) {
    throw new UsageError(`--real-label needs a number above 0.5 and at most 1, got ${realLabel}.`);
  }
  const augment = flags.augment === "none"
    ? []
    : flags.augment!.split(",").map((name) => oneOf<Augmentation>("augment", name.trim(), AUGMENTATIONS));
  if (flags["no-classifier"] && !flags.conditional) {
    throw new UsageError("--no-classifier needs --conditional: only conditional runs have the AC-GAN head.");
  }
  const classWeight = flags["class-weight"]!;
  if (!(classWeight >= 0 && Number.isFinite(classWeight))) {
    throw new UsageError(`--class-weight needs a number of 0 or more, got ${classWeight}.`);
  }
  const decadeWeight = flags["decade-weight"];
  if (decadeWeight !== undefined && !(decadeWeight >= 0 && Number.isFinite(decadeWeight))) {
    throw new UsageError(`--decade-weight needs a number of 0 or more, got ${decadeWeight}.`);
  }
  const averageDecay = flags["average-decay"]!;
  if (!(averageDecay >= 0 && averageDecay < 1)) {
    throw new UsageError(`--average-decay needs a number from 0 (off) to below 1, got ${averageDecay}.`);
  }
  positiveInteger(flags.filters!, "filters");
  let growFrom = 0;
  if (flags["grow-from"] !== undefined) {
    let from: { width: number; height: number };
    try {
      from = parseDcganSize(flags["grow-from"]);
    } catch (error) {
      throw new UsageError(`--grow-from: ${(error as Error).message}`);
    }
    if (from.width * size.height !== from.height * size.width) {
      throw new UsageError(
        `--grow-from ${sizeName(from)} is not the shape of --size ${sizeName(size)}: use a smaller poster ` +
          `of the same shape, such as ${sizeName({ width: size.width / 4, height: size.height / 4 })}.`,
      );
    }
    growFrom = from.width;
  }
  const growth = { width: size.width, growFrom, growEpochs: flags["grow-epochs"]! };
  const [growthProblem] = dcganGrowthProblems(
    {
      ...growth,
      style: flags.style,
      reconstruct: flags.reconstruct,
      conditioning: flags.conditional ? conditioning : undefined,
    },
    flags.epochs!,
    { projected: flags.projected },
  );
  if (growthProblem) {
    const flag = growthProblem.setting === "growFrom" ? "grow-from" : "grow-epochs";
    throw new UsageError(`--${flag} ${growthProblem.problem}`);
  }
  const generatorFilters = flags["generator-filters"]!;
  if (generatorFilters !== 0) positiveInteger(generatorFilters, "generator-filters");
  const fullSizeFilters = flags["full-size-filters"]!;
  if (fullSizeFilters !== 0) positiveInteger(fullSizeFilters, "full-size-filters");
  const training: DcganTrainingConfig = {
    epochs: flags.epochs!,
    decayEpochs: flags["decay-epochs"]!,
    batchSize: flags.batch!,
    learningRate: flags["learning-rate"]!,
    ...(flags["discriminator-learning-rate"] !== undefined
      ? { discriminatorLearningRate: flags["discriminator-learning-rate"] }
      : {}),
    beta1: flags.beta1!,
    ...(flags.beta2 !== undefined ? { beta2: flags.beta2 } : {}),
    gridRows: flags.rows!,
    gridColumns: flags.columns!,
    sampleRate: flags["sample-rate"]!,
    checkpointEvery: flags["checkpoint-every"]!,
    seed: flags.seed!,
    qualitySamples: flags["quality-samples"]!,
  };
  const [first] = dcganTrainingProblems(training);
  if (first) throw new UsageError(`--${TRAINING_FLAGS[first.setting]} ${first.problem}`);
  // A seed other than the default is part of the default name, so two seeds never share a run.
  const name = flags.name !== undefined
    ? folderNameFromArgs(flags.name, "name")
    : `${flags.conditional ? "cdcgan" : "dcgan"}${sizeName(size)}` +
      (training.seed === DEFAULTS.seed ? "" : `_seed${training.seed}`);
  const { name: backendName, threads } = backendFromArgs(flags);
  const backend = await initBackend(backendName, { threads });
  const set = await readTrainingSet(flags["data-dir"]!, flags.set);
  if (flags.inception && flags["no-quality"]) {
    throw new UsageError("--inception goes beside the quality figures: leave out --no-quality.");
  }
  const qualityCnn = flags["no-quality"] ? undefined : await loadQualityCnn(flags["quality-model"]);
  if (qualityCnn?.name === "untrained") {
    console.error(
      "dcgan: no saved genre CNN (deno task train makes one): quality uses an untrained CNN's features",
    );
  }
  const runDir = runFolder("dcgan", name);
  if (flags["quality-only"]) {
    if (!qualityCnn) throw new UsageError("--quality-only and --no-quality contradict each other.");
    const judge = flags.inception ? await loadInceptionJudge() : undefined;
    const records = await remeasureRun(runDir, set, qualityCnn, flags["quality-samples"]!, undefined, judge);
    judge?.dispose();
    const last = records.at(-1);
    if (last?.independent) console.log(`${runDir}: epoch ${last.epoch}: ${describeJudged(last.independent)}`);
    return;
  }
  const { metadata } = await trainInterruptibly(
    "dcgan: stopping after this step (a checkpoint will be written)",
    (signal) =>
      trainDcgan({
        runDir,
        set,
        shape: {
          ...DEFAULT_DCGAN_SHAPE,
          ...size,
          filters: flags.filters!,
          conditionSize: flags.conditional ? CONDITION_SIZE : 0,
          upsampling,
          spectralNorm: flags["spectral-norm"] ?? false,
          conditioning,
          generatorConditioning,
          skipExcitation: flags["skip-excitation"] ?? DEFAULT_DCGAN_SHAPE.skipExcitation,
          reconstruct: flags.reconstruct ?? DEFAULT_DCGAN_SHAPE.reconstruct,
          minibatchStd: flags["minibatch-std"] ?? DEFAULT_DCGAN_SHAPE.minibatchStd,
          generatorFilters,
          fullSizeFilters,
          style: flags.style ?? false,
          auxiliaryClassifier: !flags["no-classifier"],
          growFrom,
          growEpochs: growth.growEpochs,
        },
        objective: {
          loss,
          realLabel,
          averageDecay,
          augment,
          classWeight,
          ...(decadeWeight === undefined ? {} : { decadeWeight }),
          projected: flags.projected ?? false,
        },
        ...training,
        resume: flags.resume ?? false,
        backend: backend.name,
        qualityCnn,
        ...(flags.inception ? { independentJudge: loadInceptionJudge } : {}),
        signal,
      }),
  );
  const t = metadata.timings;
  console.log(
    `${runDir}: ${metadata.step} steps, ${metadata.epoch} epochs, ${t.stepsPerSecond.toFixed(2)} steps/s ` +
      `(${t.imagesPerSecond.toFixed(1)} images/s) on ${metadata.backend}`,
  );
  for (const q of metadata.quality) console.log(`  epoch ${q.epoch}: ${describeQuality(q)}`);
  if (metadata.video) {
    console.log(`  video: ${metadata.video.animation}${metadata.video.mp4 ? `, ${metadata.video.mp4}` : ""}`);
  }
});
