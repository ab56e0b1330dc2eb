/**
 * Typed configuration and every default of the project, in one place.
 *
 * A run goes config → data → model → train → evaluate; each step takes one of
 * these plain records, so a notebook cell and a `deno task` command describe a
 * run the same way.
 *
 * @module
 */

/** The 14 genres the project knows, in the order of the original project's groups. */
export const ALL_GENRES = [
  "Comedy",
  "Drama",
  "Action",
  "Animation",
  "Romance",
  "Adventure",
  "Horror",
  "Sci-Fi",
  "Crime",
  "Mystery",
  "Thriller",
  "War",
  "Family",
  "Western",
] as const;

/** One of the 14 genres. */
export type Genre = typeof ALL_GENRES[number];

/** Sizes of the genre groups: the first 3, 7 or 14 of {@linkcode ALL_GENRES}. */
export const GENRE_GROUP_SIZES = [3, 7, 14] as const;

/** A genre group size. */
export type GenreGroupSize = typeof GENRE_GROUP_SIZES[number];

/** Width and height of a Kaggle poster in pixels; `ratio` is a percent of this. */
export const POSTER_WIDTH = 182;
/** Height of a Kaggle poster in pixels. */
export const POSTER_HEIGHT = 268;

/** The genres of a group: 3 (Comedy, Drama, Action), 7 (+ Animation, Romance, Adventure, Horror) or 14. */
export function genreGroup(size: number): Genre[] {
  if (!(GENRE_GROUP_SIZES as readonly number[]).includes(size)) {
    throw new Error(
      `Unknown genre group ${size}: use 3 (Comedy, Drama, Action), 7 (+ Animation, Romance, ` +
        `Adventure, Horror) or 14 (+ Sci-Fi, Crime, Mystery, Thriller, War, Family, Western).`,
    );
  }
  return ALL_GENRES.slice(0, size);
}

/**
 * Image size for a ratio (percent of 182x268).
 *
 * Rounding rule: each side is `Math.round(side * ratio / 100)`, at least 1 pixel.
 * Ratio 30 gives 55x80 (54.6 → 55, 80.4 → 80); ratio 60 gives 109x161.
 */
export function imageSize(ratio: number): { width: number; height: number } {
  if (!Number.isFinite(ratio) || ratio <= 0 || ratio > 1000) {
    throw new Error(`Invalid ratio ${ratio}: give a percent of 182x268 such as 30, 40, 50 or 60.`);
  }
  return {
    width: Math.max(1, Math.round((POSTER_WIDTH * ratio) / 100)),
    height: Math.max(1, Math.round((POSTER_HEIGHT * ratio) / 100)),
  };
}

/**
 * Which movies, for every part of the project (lib/dataset/selection.ts `selectMovies` applies it):
 * usable movies with a poster file, released in the years, with one of `genres` and none of
 * `excludeGenres`.
 */
export interface MovieSelection {
  /** First release year kept (inclusive). */
  minYear: number;
  /** Last release year kept (inclusive). */
  maxYear: number;
  /** Keep movies with at least one of these genres; empty keeps every genre. */
  genres: readonly string[];
  /** Drop movies with any of these genres (default: none). */
  excludeGenres?: readonly string[];
  /**
   * At most this many movies, spread evenly over the selection in imdbId order (per split when
   * loading a split); undefined keeps all.
   */
  limit?: number;
}

/** Which movies and which image size a run uses. */
export interface DatasetConfig extends MovieSelection {
  /** Folder holding `MovieGenre.csv`, `posters/` and `images/<ratio>/`. */
  dataDir: string;
  /** The genres predicted, in output order (usually a group from {@linkcode genreGroup}). */
  genres: Genre[];
  /** Poster size in percent of 182x268. */
  ratio: number;
}

/**
 * The model versions. 1-3: the original's network with 3x3, 10%- or 20%-of-width kernels in the first
 * block; 4: the modern recipe (conv-BN-ReLU blocks, global average pooling; see models/cnn_v4.ts).
 */
export type ModelVersion = 1 | 2 | 3 | 4;

/** The model versions, for flags and checks. */
export const MODEL_VERSIONS = [1, 2, 3, 4] as const;

/** Optimizers of the training loop: the original's RMSprop, or Adam with decoupled weight decay. */
export const OPTIMIZERS = ["rmsprop", "adamw"] as const;

/** An optimizer of {@linkcode OPTIMIZERS}. */
export type OptimizerName = typeof OPTIMIZERS[number];

/** Learning-rate schedules over the run: constant, or linear warm-up then cosine decay to zero. */
export const SCHEDULES = ["constant", "cosine"] as const;

/** A schedule of {@linkcode SCHEDULES}. */
export type ScheduleName = typeof SCHEDULES[number];

/**
 * Random changes to each training poster, drawn per image and step (see genre/augment.ts).
 * Posters carry text, so mirroring is a choice to measure, not a given.
 */
export interface AugmentConfig {
  /** Largest shift, as a fraction of the width and height, in each direction (edge pixels repeat). */
  shift: number;
  /** Largest zoom in: a scale drawn from [1, 1 + scale]. */
  scale: number;
  /** Largest brightness change: a factor drawn from [1 - b, 1 + b]. */
  brightness: number;
  /** Largest contrast change around the image mean: a factor drawn from [1 - c, 1 + c]. */
  contrast: number;
  /** Largest saturation change around each pixel's grey: a factor drawn from [1 - s, 1 + s]. */
  saturation: number;
  /** Mirror left-right with probability 1/2. */
  mirror: boolean;
}

/** Loss of the genre CNN: binary cross-entropy (multi-label) or the original's categorical. */
export type LossName = "binary_crossentropy" | "categorical_crossentropy";

/** How the genre CNN is built and trained. */
export interface ModelConfig {
  /** 1: 3x3 kernels; 2: square kernels 10% of the image width; 3: 20% (halved in the second block). */
  version: ModelVersion;
  /** Passes over the training split. */
  epochs: number;
  /** Images per gradient step. */
  batchSize: number;
  /** RMSprop learning rate. */
  learningRate: number;
  /** Training loss. */
  loss: LossName;
  /** Stop after this many epochs without a better validation loss; 0 turns early stopping off. */
  earlyStoppingPatience: number;
  /** Seed for weight initialisation and shuffling. */
  seed: number;
  /** Regression heads trained beside the genres (`--targets genres,year,rating`); none when absent. */
  targets?: RegressionTarget[];
  /** Optimizer; absent means RMSprop (models saved before there was a choice). */
  optimizer?: OptimizerName;
  /** AdamW's decoupled weight decay per step, times the learning rate (conv and dense kernels only). */
  weightDecay?: number;
  /** Learning-rate schedule; absent means constant. */
  schedule?: ScheduleName;
  /** Epochs of linear warm-up from 0 to `learningRate` before the cosine decay (may be fractional). */
  warmupEpochs?: number;
  /** Training-time augmentation; absent means none. */
  augment?: AugmentConfig;
  /** Dropout before the output layer of version 4. */
  dropout?: number;
  /**
   * Weight of each regression head's loss beside the genre loss; absent means
   * {@linkcode REGRESSION_DEFAULTS}.weight.
   */
  headWeight?: number;
  /**
   * A pretrained branch beside the CNN (models/feature_branch.ts): its outputs are blended with the
   * CNN's; absent means the CNN alone (`--feature-branch=false`).
   */
  featureBranch?: FeatureBranchConfig;
  /**
   * Answers (evaluate, predict, the page) average each poster's outputs with its mirror image's; the
   * training and the choices made on validation during it see the poster alone. Absent means off.
   */
  testTimeMirror?: boolean;
}

/**
 * The frozen networks a pretrained branch can read posters with, both from nsfwjs:
 * - `mobilenet_v2`: MobileNetV2's last convolution, averaged (1,280 features);
 * - `mobilenet_v2+inception_v3`: those, and InceptionV3's blocks mixed4 to mixed7 (768 channels each),
 *   each averaged over its map (4,352 features in all). InceptionV3's last blocks learnt nsfwjs's
 *   five content classes; its middle blocks describe what is in a poster more generally.
 */
export const FEATURE_NETWORKS = ["mobilenet_v2", "mobilenet_v2+inception_v3"] as const;

/** A frozen network of a pretrained branch (see {@linkcode FEATURE_NETWORKS}). */
export type FeatureNetwork = typeof FEATURE_NETWORKS[number];

/** How messages and model cards name a branch's networks, and what the branch reads from them. */
export const FEATURE_NETWORK_NAMES: Record<FeatureNetwork, { name: string; features: string }> = {
  "mobilenet_v2": { name: "MobileNetV2", features: "1,280 pooled features" },
  "mobilenet_v2+inception_v3": {
    name: "MobileNetV2 + InceptionV3",
    features: "4,352 pooled features (MobileNetV2's last convolution, InceptionV3's blocks mixed4 to mixed7)",
  },
};

/**
 * The pretrained branch of a genre model: frozen networks that nsfwjs bundles read the poster at `ratio`
 * (100: the posters' own 182x268, near the size they were trained at), and a small head on their
 * pooled features, trained after the CNN, gives genres, year and rating. The blend weights are chosen on
 * validation among {@linkcode BLEND_WEIGHTS}.
 */
export interface FeatureBranchConfig {
  /** The frozen networks (see {@linkcode FEATURE_NETWORKS}). */
  network: FeatureNetwork;
  /** Poster size the network reads, in percent of 182x268. */
  ratio: number;
  /** Passes of the head over the training features. */
  epochs: number;
  /** Adam's learning rate for the head. */
  learningRate: number;
  /** Dropout on the features. */
  dropout: number;
  /** Features per step. */
  batchSize: number;
  /** The Huber loss's width of the year and rating outputs, in standard deviations. */
  huberDelta: number;
  /**
   * Once the blend weights are chosen, train the head again, with the same settings and seed, on the
   * training and validation posters together, and answer with that one; the weights, the threshold and
   * the validation figures stay those of the head trained on the training split alone. Absent: off.
   */
  refit?: boolean;
}

/**
 * The branch's defaults. The features are fixed, so the head trains in seconds: many epochs and strong
 * dropout; a narrow Huber loss (nearly absolute error) because the branch is judged by its mean
 * absolute error. Both networks: on validation their features together beat either's alone, and
 * InceptionV3's middle blocks beat its last one (docs/experiments.md, "Two networks in the branch").
 * The refit: the head's validation mAP grows with its training posters (docs/experiments.md, "The
 * branch's head trained again on validation"), and the validation features are extracted anyway.
 */
export const DEFAULT_FEATURE_BRANCH: FeatureBranchConfig = {
  network: "mobilenet_v2+inception_v3",
  ratio: 100,
  epochs: 60,
  learningRate: 1e-3,
  dropout: 0.5,
  batchSize: 64,
  huberDelta: 0.3,
  refit: true,
};

/** The branch's weights in a blend that validation chooses among (0: the CNN alone, 1: the branch alone). */
export const BLEND_WEIGHTS: readonly number[] = Array.from({ length: 11 }, (_, i) => i / 10);

/** What a model can estimate besides genres: the release year (from the title) and the IMDb score. */
export const REGRESSION_TARGETS = ["year", "rating"] as const;

/** A regression target. */
export type RegressionTarget = typeof REGRESSION_TARGETS[number];

/**
 * Training of the regression heads: Huber loss on standardised targets (quadratic within `huberDelta`
 * standard deviations, linear beyond, so odd films don't dominate), added to the genre loss with
 * `weight` per head.
 */
export const REGRESSION_DEFAULTS = { huberDelta: 1, weight: 1 } as const;

/** The genre CNN's checkpoint interval inside an epoch, in batches (it also checkpoints at every epoch end). */
export const DEFAULT_CHECKPOINT_EVERY_BATCHES = 100;

/** Names of the TensorFlow.js backends, in the order they are tried. */
export const BACKEND_ORDER = ["tensorflow-gpu", "tensorflow", "native", "webgpu", "wasm", "cpu"] as const;

/** Threads of the native backend (oneDNN and OpenBLAS) unless `--threads` says otherwise: every core. */
export const DEFAULT_THREADS: number = navigator.hardwareConcurrency || 1;

/** A TensorFlow.js backend the project can run on. */
export type BackendName = typeof BACKEND_ORDER[number];

/** Default dataset config: the original project's years, 7 genres, ratio 30. */
export const DEFAULT_DATASET: DatasetConfig = {
  dataDir: "data",
  minYear: 1977,
  maxYear: 2017,
  genres: genreGroup(7),
  ratio: 30,
};

/**
 * The model version `deno task main`, `deno task train` and the training notebook train unless told
 * otherwise: the modern recipe ({@linkcode RECIPE_V4}). `--version 1` is the original project's network.
 */
export const RECOMMENDED_MODEL_VERSION: ModelVersion = 4;

/**
 * The original project's network and training (version 1, RMSprop 1e-4, binary cross-entropy, batch 32):
 * the settings every version starts from ({@linkcode modelDefaults}); the recommended model is
 * `modelDefaults(RECOMMENDED_MODEL_VERSION)`.
 */
export const DEFAULT_MODEL: ModelConfig = {
  version: 1,
  epochs: 2,
  batchSize: 32,
  learningRate: 1e-4,
  loss: "binary_crossentropy",
  earlyStoppingPatience: 0,
  seed: 42,
};

/** Augmentation of the version-4 recipe: small shifts, zoom and colour changes, no mirroring. */
export const DEFAULT_AUGMENT: AugmentConfig = {
  shift: 0.08,
  scale: 0.1,
  brightness: 0.2,
  contrast: 0.2,
  saturation: 0.2,
  mirror: false,
};

/**
 * The version-4 recipe: what differs from {@linkcode DEFAULT_MODEL} when `--version 4` is asked for.
 * Batch normalisation lets AdamW train at a peak rate 30 times the original's; the schedule warms up
 * for an epoch, so fresh weights don't take full-rate steps, then decays to zero so the last epochs
 * settle; weight decay, dropout and augmentation hold back a network that would otherwise learn a few
 * thousand posters by heart. 30 epochs: validation kept improving up to there, and the main job from a
 * fresh clone (import, train, evaluate) still takes well under half an hour on a 2-core machine.
 * The year and rating heads train with the genres, each at a fifth of the genre loss's weight: at equal
 * weight their two Huber losses outweigh it and pull the shared layers away from the genres. The
 * pretrained branch sees what 55x80 pixels lose and what a few thousand posters cannot teach, so the
 * blend beats either alone. A poster's mirror image is a second look whose errors differ, so answers
 * average the two (training keeps posters unmirrored: their text reads one way). The runs behind these
 * choices are in docs/experiments.md.
 */
export const RECIPE_V4 = {
  version: 4,
  epochs: 30,
  learningRate: 3e-3,
  optimizer: "adamw",
  weightDecay: 0.05,
  schedule: "cosine",
  warmupEpochs: 1,
  augment: DEFAULT_AUGMENT,
  dropout: 0.3,
  targets: ["year", "rating"],
  headWeight: 0.2,
  featureBranch: DEFAULT_FEATURE_BRANCH,
  testTimeMirror: true,
} satisfies Partial<ModelConfig>;

/**
 * The model defaults of a version (default {@linkcode RECOMMENDED_MODEL_VERSION}): {@linkcode DEFAULT_MODEL},
 * plus {@linkcode RECIPE_V4} for 4.
 */
export function modelDefaults(version: ModelVersion = RECOMMENDED_MODEL_VERSION): ModelConfig {
  return version === 4 ? { ...DEFAULT_MODEL, ...RECIPE_V4 } : { ...DEFAULT_MODEL, version };
}

/** The optimizer of a config that names none: RMSprop, the original's (models saved before there was a choice). */
export const DEFAULT_OPTIMIZER: OptimizerName = "rmsprop";

/** The schedule of a config that names none: a constant rate, as the original trains. */
export const DEFAULT_SCHEDULE: ScheduleName = "constant";

/** The optimizer `config` trains with ({@linkcode DEFAULT_OPTIMIZER} when it names none). */
export function optimizerOf(config: Pick<ModelConfig, "optimizer">): OptimizerName {
  return config.optimizer ?? DEFAULT_OPTIMIZER;
}

/** The learning-rate schedule `config` trains with ({@linkcode DEFAULT_SCHEDULE} when it names none). */
export function scheduleOf(config: Pick<ModelConfig, "schedule">): ScheduleName {
  return config.schedule ?? DEFAULT_SCHEDULE;
}

/**
 * What is wrong with `config`, every rule about a model setting in one place (`deno task train` turns
 * these into usage errors before loading data; training refuses such a config): a known version,
 * optimizer and schedule, positive whole epochs and batch size, no negative rate, decay, warm-up or
 * patience, dropout below 1, and the cosine schedule only with AdamW (RMSprop keeps its rate).
 * Empty when the config can train.
 */
export function modelConfigProblems(config: ModelConfig): SettingProblem<ModelConfig>[] {
  const problems: SettingProblem<ModelConfig>[] = [];
  const add = (setting: keyof ModelConfig, problem: string) => problems.push({ setting, problem });
  const oneOf = (values: readonly unknown[]) => values.join(", ").replace(/, ([^,]*)$/, " or $1");
  if (!(MODEL_VERSIONS as readonly number[]).includes(config.version)) {
    add("version", `must be ${oneOf(MODEL_VERSIONS)}, got ${config.version}.`);
  }
  for (const setting of ["epochs", "batchSize"] as const) {
    const value = config[setting];
    if (!(Number.isInteger(value) && value >= 1)) {
      add(setting, `must be a whole number of at least 1, got ${value}.`);
    }
  }
  for (const setting of ["learningRate", "weightDecay", "warmupEpochs", "earlyStoppingPatience"] as const) {
    const value = config[setting];
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
      add(setting, `must be 0 or more, got ${value}.`);
    }
  }
  if (config.headWeight !== undefined && !(config.headWeight > 0 && Number.isFinite(config.headWeight))) {
    add("headWeight", `must be above 0, got ${config.headWeight}.`);
  }
  if (config.dropout !== undefined && !(config.dropout >= 0 && config.dropout < 1)) {
    add("dropout", `must be from 0 to below 1, got ${config.dropout}.`);
  }
  const optimizer = optimizerOf(config), schedule = scheduleOf(config);
  if (!(OPTIMIZERS as readonly string[]).includes(optimizer)) {
    add("optimizer", `must be ${oneOf(OPTIMIZERS)}, got ${optimizer}.`);
  }
  if (!(SCHEDULES as readonly string[]).includes(schedule)) {
    add("schedule", `must be ${oneOf(SCHEDULES)}, got ${schedule}.`);
  } else if (schedule === "cosine" && optimizer !== "adamw") {
    add("schedule", `cosine needs the adamw optimizer (RMSprop keeps its rate), got ${optimizer}.`);
  }
  return problems;
}

/** Throws an Error naming every {@linkcode modelConfigProblems} of `config`; returns it when there are none. */
export function checkModelConfig<T extends ModelConfig>(config: T): T {
  const problems = modelConfigProblems(config);
  if (problems.length) {
    throw new Error(
      `The model config can't train: ${problems.map((p) => `${p.setting} ${p.problem}`).join(" ")}`,
    );
  }
  return config;
}

/** What `deno task main --quick` trains with: a smoke run of a minute or two. */
export const QUICK_RUN = { limit: 300, epochs: 2 } as const;

/** How the generator doubles its image side: the paper's transposed convolutions, or resize-then-convolve. */
export type Upsampling = "transposed" | "resize";

/** How the conditional discriminator uses the condition (lib/models/dcgan.ts buildDiscriminator). */
export type DiscriminatorConditioning = "projection" | "input";

/** How the conditional generator uses the condition (lib/models/dcgan.ts buildGenerator). */
export type GeneratorConditioning = "modulated" | "input";

/** How the two networks are built. */
export interface DcganShape {
  /** Image width in pixels: 4 x a power of two (8, 16, 32, 64, 128). */
  width: number;
  /** Image height in pixels: the same power of two x 4 or more (posters: 1.5 x width, e.g. 64x96). */
  height: number;
  /** Length of the noise vector. */
  latentDim: number;
  /** Filters of the widest-resolution layer; the others are 2x, 4x, ... this (Radford et al.: 64). */
  filters: number;
  /**
   * The generator's own `filters`, where it should be wider (or narrower) than the discriminator; 0
   * (default): `filters` for both.
   */
  generatorFilters?: number;
  /** Length of the condition vector; 0 builds the plain (unconditional) DCGAN. */
  conditionSize: number;
  /**
   * `resize`: nearest-neighbour 2x then a 3x3 convolution (Odena et al., 2016: no checkerboard);
   * `transposed`: 4x4 stride-2 transposed convolutions as in the paper. Default `resize`.
   */
  upsampling?: Upsampling;
  /** Spectral normalisation of every discriminator layer, in place of its batch norm. Default false. */
  spectralNorm?: boolean;
  /** Conditional discriminator: `projection` (Miyato & Koyama, 2018, default) or `input`. */
  conditioning?: DiscriminatorConditioning;
  /**
   * Conditional generator: `input` (default) feeds the condition beside the noise only; `modulated` also
   * lets it scale and shift every batch norm's output (conditional batch norm, de Vries et al. 2017, as
   * Miyato & Koyama's generator does). Measured at equal epochs (docs/dcgan.md): `modulated` did not make
   * conditions differ more and cost 5% more time a step, so it is not the default.
   */
  generatorConditioning?: GeneratorConditioning;
  /**
   * FastGAN's skip-layer excitation (Liu et al. 2021) in the generator: each feature map from 16 wide on
   * is scaled per channel by a sigmoid gate that a small dense network reads off the map 4 times
   * smaller (pooled to 4 wide), so the coarse layout steers the fine layers directly. Default true:
   * measured at equal epochs it brought generated posters much nearer real ones for both judges, for
   * about a tenth more time a step (docs/dcgan.md); runs recorded before it had none.
   */
  skipExcitation?: boolean;
  /**
   * FastGAN's self-supervised discriminator (Liu et al. 2021): two small decoders rebuild each real
   * poster from the discriminator's own feature maps, the 8-wide map at half size and the 16-wide map
   * at full size, and their pixel error joins the discriminator's loss, so its features must keep
   * what a poster looks like rather than only what tells this batch's fakes apart. Only real posters
   * are rebuilt; the generator never sees the decoders. Default false.
   */
  reconstruct?: boolean;
  /**
   * ProGAN's minibatch standard deviation (Karras et al. 2018) in the discriminator: before its last
   * block, one more channel holds how much each group of 4 posters of the batch differ, so a generator
   * that draws too few kinds of poster can be told apart (lib/models/minibatch_std.ts). Default false.
   */
  minibatchStd?: boolean;
  /**
   * Channels of a block (3x3 convolution, batch norm, ReLU) at the poster's full size, between the last
   * upsampling and the RGB convolution; 0 for none, where the RGB convolution reads the upsampled half-size
   * maps directly and no layer works at full size.
   */
  fullSizeFilters?: number;
  /**
   * A StyleGAN2-style generator (lib/models/style_generator.ts): a mapping network makes a style vector
   * of the noise and the condition, and modulated convolutions it steers replace the generator's batch
   * norms. Measured at equal epochs, it collapsed towards one layout and fell behind by both judges
   * (docs/dcgan.md), so it is off by default.
   */
  style?: boolean;
  /**
   * Conditional discriminator with a second head that predicts the real poster's genres and decade
   * (AC-GAN, Odena et al., 2017); the generator is then also scored on whether its poster reads as
   * the asked genre and decade. Default true; unconditional networks have nothing to predict and
   * ignore it.
   */
  auxiliaryClassifier?: boolean;
  /**
   * Progressive growing (Karras et al. 2018): the poster width training starts at (8, 16 or 32 for
   * 64x96; the height keeps the poster's shape), 0 for none. Each size trains `growEpochs` epochs, then
   * the next, twice as large, joins the networks, fading in over half as many; the full size trains to the
   * end. Default 0.
   */
  growFrom?: number;
  /** Epochs each size below the full one trains when growing. Default 2. */
  growEpochs?: number;
  /** Seed for the weight initialisers, so two builds start equal. */
  seed?: number;
}

/**
 * Defaults: 64x96 posters (2:3), 100-d noise, 64 filters (the paper's), unconditional, resize-convolve
 * (no checkerboard pattern); conditional networks get the projection discriminator (it compares the
 * condition with the image's features instead of only seeing it beside the pixels) and the AC-GAN
 * head (the generator is also taught to make the asked genre and decade recognisable).
 */
export const DEFAULT_DCGAN_SHAPE: DcganShape = {
  width: 64,
  height: 96,
  latentDim: 100,
  filters: 64,
  generatorFilters: 0,
  conditionSize: 0,
  upsampling: "resize",
  spectralNorm: false,
  conditioning: "projection",
  generatorConditioning: "input",
  skipExcitation: true,
  reconstruct: false,
  minibatchStd: false,
  fullSizeFilters: 0,
  style: false,
  auxiliaryClassifier: true,
  growFrom: 0,
  growEpochs: 2,
};

/** The adversarial loss: the paper's cross-entropy, or the hinge loss (Lim & Ye; SAGAN, BigGAN). */
export type GanLoss = "bce" | "hinge";

/** DiffAugment's transforms (lib/gan/augment.ts): recolour, shift, blank a rectangle. */
export type Augmentation = "color" | "translation" | "cutout";

/** How each step scores the two networks, and how samples are drawn. */
export interface GanObjective {
  loss: GanLoss;
  /** Cross-entropy target of real posters: below 1 is one-sided label smoothing (Salimans et al.). */
  realLabel: number;
  /** Decay of the generator's weight average that samples come from; 0 samples the generator itself. */
  averageDecay: number;
  /** What the discriminator's inputs, real and generated, go through (DiffAugment); all three by default. */
  augment?: readonly Augmentation[];
  /**
   * Weight of the AC-GAN head's loss in the generator's: how hard it is pushed to make the asked genre
   * and decade recognisable (runs before it was recorded trained at 1).
   */
  classWeight: number;
  /**
   * Weight of the decade's part of that loss, when it should differ from the genres' (`classWeight`
   * when absent): the decade part is what pulled the smallest decade together at high weights.
   */
  decadeWeight?: number;
  /**
   * A second discriminator on a frozen pretrained network's features at four scales (projected GAN,
   * lib/models/projected_discriminator.ts), its loss beside the DCGAN discriminator's. Measured at equal
   * epochs and at equal time, it did not bring posters nearer real ones by the independent judge and
   * made each step about 3 times slower (docs/dcgan.md), so it is off by default.
   */
  projected?: boolean;
}

/**
 * Defaults: cross-entropy with real posters at 0.9, samples from a 0.999 weight average, and every
 * DiffAugment transform (a few thousand posters are too few for an unaugmented discriminator: it
 * learns them by heart and stops teaching the generator). The AC-GAN loss counts three times in the
 * generator's: at 1 the same noise gave nearly the same poster whatever was asked; at 4, over 70 epochs,
 * the smallest decade (the 1980s, a tenth of the posters) came out as one poster or a few whatever the
 * noise, since the generator chases the few posters the classifier knows as that decade; of 2 and 3 over
 * the same 70 epochs, 3 came nearer real posters by the independent judge and changed the poster with
 * the condition, its 1980s less varied than 2's but not collapsed (docs/dcgan.md).
 */
export const DEFAULT_OBJECTIVE: GanObjective = {
  loss: "bce",
  realLabel: 0.9,
  averageDecay: 0.999,
  augment: ["color", "translation", "cutout"],
  classWeight: 3,
  projected: false,
};

/**
 * How a DCGAN trains: Radford et al.'s Adam (2e-4, beta1 0.5), and what the run writes as it goes.
 * `deno task dcgan:train`'s flags and notebook 4 start from {@linkcode DEFAULT_DCGAN_TRAINING}.
 */
export interface DcganTrainingConfig {
  /** Passes over the training set. */
  epochs: number;
  /** Posters per step. */
  batchSize: number;
  /** Adam's learning rate and first-moment decay, for both networks. */
  learningRate: number;
  beta1: number;
  /**
   * Adam's second-moment decay for both networks, where it differs from Adam's own 0.999 (Radford et al.
   * keep it); SAGAN trains its projection discriminator's two time-scales with beta1 0 and beta2 0.9.
   */
  beta2?: number;
  /**
   * The discriminator's own learning rate, where it differs from `learningRate`: two time-scales
   * (Heusel et al. 2017; SAGAN and BigGAN train the discriminator 4 times faster). Absent, both networks
   * learn at `learningRate`; the decay scales the two alike.
   */
  discriminatorLearningRate?: number;
  /**
   * The last this many of `epochs` decay both learning rates linearly to zero (pix2pix's
   * `n_epochs_decay`); 0 keeps them constant, as Radford et al. train.
   */
  decayEpochs: number;
  /** A sample grid every this many steps. */
  sampleRate: number;
  /** A checkpoint every this many steps (and at every epoch end). */
  checkpointEvery: number;
  /** Rows and columns of the sample grid. */
  gridRows: number;
  gridColumns: number;
  /** Seed of the weights, the noise and the order of posters. */
  seed: number;
  /** Real and generated posters per Fréchet distance. */
  qualitySamples: number;
}

/** DCGAN training defaults. */
export const DEFAULT_DCGAN_TRAINING: DcganTrainingConfig = {
  epochs: 5,
  batchSize: 64,
  learningRate: 2e-4,
  beta1: 0.5,
  decayEpochs: 0,
  sampleRate: 2,
  checkpointEvery: 50,
  gridRows: 6,
  gridColumns: 10,
  seed: 42,
  qualitySamples: 256,
};

/** A setting of a DCGAN training config that breaks a rule, and the rule. */
export interface SettingProblem<T> {
  setting: keyof T & string;
  /** What the value must be, and what it is, e.g. "must be a whole number from 0 to epochs (2), got 3." */
  problem: string;
}

/**
 * The rules of a DCGAN training config, one problem per broken rule (empty when none is broken):
 * `dcgan:train` reports them as flag errors before loading data, trainDcgan refuses them.
 */
export function dcganTrainingProblems(config: DcganTrainingConfig): SettingProblem<DcganTrainingConfig>[] {
  const problems: SettingProblem<DcganTrainingConfig>[] = [];
  type WholeSetting = "epochs" | "batchSize" | "sampleRate" | "gridRows" | "gridColumns" | "qualitySamples";
  const wholeAtLeast = (setting: WholeSetting | "checkpointEvery", min: number) => {
    const value = config[setting];
    if (!(Number.isInteger(value) && value >= min)) {
      problems.push({ setting, problem: `must be a whole number of at least ${min}, got ${value}.` });
    }
  };
  for (
    const key of ["epochs", "batchSize", "sampleRate", "gridRows", "gridColumns", "qualitySamples"] as const
  ) {
    wholeAtLeast(key, 1);
  }
  wholeAtLeast("checkpointEvery", 0);
  const { decayEpochs, epochs, learningRate, discriminatorLearningRate, beta1, beta2 } = config;
  if (!(Number.isInteger(decayEpochs) && decayEpochs >= 0 && decayEpochs <= epochs)) {
    problems.push({
      setting: "decayEpochs",
      problem: `must be a whole number from 0 to epochs (${epochs}), got ${decayEpochs}.`,
    });
  }
  const rates = { learningRate, discriminatorLearningRate };
  for (const setting of ["learningRate", "discriminatorLearningRate"] as const) {
    const rate = rates[setting];
    if (rate !== undefined && !(rate > 0)) {
      problems.push({ setting, problem: `must be above 0, got ${rate}.` });
    }
  }
  const decays = { beta1, beta2 };
  for (const setting of ["beta1", "beta2"] as const) {
    const decay = decays[setting];
    if (decay !== undefined && !(decay >= 0 && decay < 1)) {
      problems.push({ setting, problem: `must be from 0 to below 1, got ${decay}.` });
    }
  }
  return problems;
}

/**
 * The rules of progressive growing (`growFrom`, `growEpochs` of {@linkcode DcganShape}) for a run of
 * `epochs`: none of the parts that work at the full size only, the first width a smaller poster of the same
 * shape, and every size before the full one done with epochs left for the full size. Empty when growing is
 * off or every rule holds.
 */
export function dcganGrowthProblems(
  shape: Pick<DcganShape, "width" | "growFrom" | "growEpochs" | "style" | "reconstruct" | "conditioning">,
  epochs: number,
  objective: Pick<GanObjective, "projected"> = {},
): SettingProblem<DcganShape>[] {
  const from = shape.growFrom ?? 0;
  if (from === 0) return [];
  // These read or make the poster at its full size only.
  const fixed = [
    shape.style && "the style generator",
    shape.reconstruct && "the reconstructing discriminator",
    shape.conditioning === "input" && "the condition as an input channel",
    objective.projected && "the projected discriminator",
  ].filter((what) => what);
  if (fixed.length) {
    return [{ setting: "growFrom", problem: `cannot go with ${fixed.join(" or ")}: drop one of them.` }];
  }
  const smaller = Math.log2(shape.width / from);
  if (!(Number.isInteger(smaller) && smaller >= 1 && from >= 8)) {
    return [{
      setting: "growFrom",
      problem:
        `must be a width of 8 or more that halves ${shape.width} a whole number of times, got ${from}.`,
    }];
  }
  const each = shape.growEpochs ?? 2;
  if (!(Number.isInteger(each) && each >= 1 && each * smaller < epochs)) {
    return [{
      setting: "growEpochs",
      problem: `must be a whole number of at least 1 that leaves epochs for the full size: ${smaller} ` +
        `smaller sizes x ${each} must be below the run's ${epochs} epochs.`,
    }];
  }
  return [];
}

/**
 * The original project's DCGAN posters: from 1980 on, without Animation, Comedy and Family (whose
 * posters look least like the rest), at ratio 60. Notebook 4 and the commands of docs/dcgan.md use it.
 */
export const ORIGINAL_DCGAN_SELECTION: MovieSelection & { ratio: number } = {
  minYear: 1980,
  maxYear: 2017,
  genres: [],
  excludeGenres: ["Animation", "Comedy", "Family"],
  ratio: 60,
};

/**
 * The genre CNN that measures DCGAN quality when no trained one is saved: random (seeded) weights, 7
 * genres, ratio 30, whose features still give a consistent, if weaker, distance.
 */
export const FALLBACK_QUALITY_CNN = { genres: 7, ratio: 30, version: 1, seed: 42 } as const satisfies {
  genres: GenreGroupSize;
  ratio: number;
  version: ModelVersion;
  seed: number;
};

/**
 * The independent judge of generated posters (`deno task fid`, lib/gan/inception_distance.ts): images per
 * InceptionV3 batch (memory stays bounded: a 299x299 image takes tens of MB of activations), the seed that
 * picks which images of a folder are compared (`--limit`, the two halves of `--floor`), and the fewest
 * images a side a Fréchet distance is computed on.
 */
export const FID_DEFAULTS = { batchSize: 16, seed: 1, minImages: 2 } as const;

/**
 * The decades whose generated posters the genre CNN's year head compares (quality figures): an early and
 * a late one that the DCGAN's posters (from 1980 on) both have plenty of.
 */
export const DECADE_CHECK: readonly [number, number] = [1980, 2000];

/**
 * Generated posters asked for each genre alone when the genre hit rate is measured. A rate near 0.3
 * is known within about ±0.08 (one standard error) from 32 posters and ±0.04 from 128; the CNN reads
 * 128 small posters per genre in about a second.
 */
export const GENRE_HIT_SAMPLES = 128;

/**
 * What `deno task dcgan:sample` asks for by default: the recommended conditional run (docs/dcgan.md),
 * one grid of 16, each poster the best of 8 draws by the discriminator's classifier (when the generator
 * comes with it; choose_posters.ts), from noise times 0.8 (the truncation trick): the setting that met
 * the independent judge's and the genres' goals together, at a price in variety (docs/dcgan.md, "Best of
 * K"). `--candidates 1 --truncation 1` draws as the generator comes.
 */
export const DEFAULT_DCGAN_SAMPLE = {
  run: "cdcgan64x96",
  count: 16,
  seed: 1,
  truncation: 0.8,
  candidates: 8,
} as const;

/** Test posters `deno task evaluate` prints prediction lines for. */
export const DEFAULT_EVALUATION_SAMPLE = 12;

/** Posters downloaded at once by `deno task data --download`. */
export const DEFAULT_DOWNLOAD_CONCURRENCY = 8;

/**
 * Most bytes of one poster fetched from a URL, counted after decoding (`deno task data --download`,
 * `deno task predict`; `--max-poster-mb` changes it). A poster is a few hundred kB, so 20 MB is
 * generous; a server that sends more (an endless body, a gzip bomb) is cut off there.
 */
export const MAX_POSTER_BYTES = 20_000_000;

/** Seconds one notebook cell may run under `deno task report`. */
export const DEFAULT_CELL_TIMEOUT_SECONDS = 1800;

/** Where trained models are saved. */
export const SAVED_MODELS_DIR = "saved_models";

/**
 * The models that come with posterlab, tracked in git (a few MB), so predict and serve answer right
 * after a clone; a model in SAVED_MODELS_DIR with a higher validation mAP is preferred to them.
 */
export const SHIPPED_MODELS_DIR = "models";

/**
 * Where shipped generators live inside SHIPPED_MODELS_DIR (`models/generators/<run name>/`, written by
 * `deno task dcgan:export`): the folder holds no metadata.json, so the genre model listing skips it.
 */
export const SHIPPED_GENERATORS_SUBDIR = "generators";

/**
 * "Make a poster" on the page of `deno task serve`: the grid, the condition it starts with, and its
 * truncation and candidates (dcgan:sample's defaults); and the images per generator call wherever
 * posters are made (lib/gan/make_posters.ts), so that thousands (`dcgan:sample --out-dir`) take bounded
 * memory.
 */
export const MAKE_POSTER_DEFAULTS = {
  rows: 4,
  columns: 4,
  genre: "Sci-Fi",
  decade: 1980,
  batchSize: 64,
  truncation: DEFAULT_DCGAN_SAMPLE.truncation,
  candidates: DEFAULT_DCGAN_SAMPLE.candidates,
} as const;

/** Defaults of `deno task predict` and `deno task serve`. */
export const PREDICT_DEFAULTS = {
  /** Genres shown per poster. */
  top: 3,
  /** A poster URL must answer (headers and body) within this many seconds. */
  urlTimeoutSeconds: 30,
  /** File names taken from a folder (case-insensitive): the formats sharp reads that posters come in. */
  imageExtensions: [".jpg", ".jpeg", ".png", ".webp"],
  /** Opacity of the class-activation map drawn over a poster. */
  overlayOpacity: 0.6,
  /** Port and host of the local page. */
  port: 8080,
  host: "127.0.0.1",
} as const;

/**
 * Flags of headless Chromium (PDF reports, the page's browser test): no sandbox (root in CI), no GPU,
 * and nothing that reaches the network on its own (the machines are offline). Add a fresh
 * `--user-data-dir` per run.
 */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/** Where training runs go, `runs/<kind>/<name>/` (lib/training/run.ts); git-ignored. */
export const RUNS_DIR = "runs";

/** Where `deno task report` writes HTML and PDF (`reports/small/` with `--small`). */
export const REPORTS_DIR = "reports";
