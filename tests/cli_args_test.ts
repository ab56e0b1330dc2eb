import assert from "node:assert/strict";
import {
  BACKEND_FLAGS,
  backendFromArgs,
  DATASET_FLAGS,
  datasetConfigFromArgs,
  folderNameFromArgs,
  MODEL_FLAGS,
  modelConfigFromArgs,
  parseArgs,
  TRAIN_FLAGS,
  trainOptionsFromArgs,
  usage,
  UsageError,
} from "../lib/cli_args.ts";
import {
  DEFAULT_MODEL,
  DEFAULT_THREADS,
  modelDefaults,
  RECOMMENDED_MODEL_VERSION,
  SAVED_MODELS_DIR,
} from "../lib/config.ts";

const SPECS = {
  epochs: { type: "number", help: "epochs", default: 2 },
  resume: { type: "boolean", help: "resume" },
  backend: { type: "string", help: "backend" },
  ratios: { type: "list", help: "ratios" },
} as const;

Deno.test("parseArgs reads typed values, defaults, = form and positionals", () => {
  const flags = parseArgs(
    ["run", "--epochs", "5", "--resume", "--backend=wasm", "--ratios", "30, 60"],
    SPECS,
    { positional: true },
  );
  assert.equal(flags.epochs, 5);
  assert.equal(flags.resume, true);
  assert.equal(flags.backend, "wasm");
  assert.deepEqual(flags.ratios, ["30", "60"]);
  assert.deepEqual(flags._, ["run"]);
  assert.equal(parseArgs([], SPECS).epochs, 2);
});

Deno.test("parseArgs names the bad flag", () => {
  assert.throws(
    () => parseArgs(["--epoch", "3"], SPECS),
    (e: Error) => e instanceof UsageError && /--epoch\b/.test(e.message),
  );
  assert.throws(() => parseArgs(["--epochs", "many"], SPECS), /--epochs needs a number, got "many"/);
  assert.throws(() => parseArgs(["--backend"], SPECS), /--backend needs a value/);
});

Deno.test("parseArgs refuses short flags and stray arguments unless the command takes positionals", () => {
  // `train -e 3` trained the default model for minutes: now a usage error naming -e.
  assert.throws(
    () => parseArgs(["-e", "3"], SPECS),
    (e: Error) => e instanceof UsageError && /^Unknown flag -e\b/.test(e.message),
  );
  assert.throws(() => parseArgs(["-e=3"], SPECS, { positional: true }), /Unknown flag -e:/);
  assert.throws(
    () => parseArgs(["--epochs", "3", "extra"], SPECS),
    (e: Error) =>
      e instanceof UsageError && /Unexpected argument "extra": this command takes only flags/.test(e.message),
  );
  assert.throws(() => parseArgs(["--resume", "yes"], SPECS), /"yes".*\(--resume takes no value\)/);
  // A negative number is a flag's value, not a flag.
  assert.equal(parseArgs(["--epochs", "-1"], SPECS).epochs, -1);
  assert.deepEqual(parseArgs(["a.jpg", "b.jpg"], SPECS, { positional: true })._, ["a.jpg", "b.jpg"]);
});

Deno.test("folderNameFromArgs: a plain folder name, never a path", () => {
  assert.equal(folderNameFromArgs("cdcgan64x96_seed7", "name"), "cdcgan64x96_seed7");
  for (const bad of ["../../x", "a/b", "..", ".hidden", "a\\b", ""]) {
    assert.throws(
      () => folderNameFromArgs(bad, "name"),
      (e: Error) => e instanceof UsageError && e.message.startsWith(`--name "${bad}"`),
      bad,
    );
  }
});

Deno.test("datasetConfigFromArgs builds a config and rejects bad groups and years", () => {
  const config = datasetConfigFromArgs(
    parseArgs(["--genres", "3", "--ratio", "60", "--limit", "10"], DATASET_FLAGS),
  );
  assert.deepEqual(config.genres, ["Comedy", "Drama", "Action"]);
  assert.equal(config.ratio, 60);
  assert.equal(config.limit, 10);
  assert.equal(config.minYear, 1977);
  assert.throws(
    () => datasetConfigFromArgs(parseArgs(["--genres", "5"], DATASET_FLAGS)),
    /Unknown genre group 5/,
  );
  assert.throws(
    () => datasetConfigFromArgs(parseArgs(["--min-year", "2000", "--max-year", "1990"], DATASET_FLAGS)),
    /after --max-year/,
  );
});

Deno.test("backendFromArgs: --backend and --threads, every core by default, clear errors", () => {
  assert.deepEqual(backendFromArgs(parseArgs([], BACKEND_FLAGS)), {
    name: undefined,
    threads: DEFAULT_THREADS,
  });
  assert.equal(DEFAULT_THREADS, navigator.hardwareConcurrency);
  assert.deepEqual(backendFromArgs(parseArgs(["--backend", "native", "--threads", "1"], BACKEND_FLAGS)), {
    name: "native",
    threads: 1,
  });
  assert.throws(
    () => backendFromArgs(parseArgs(["--backend", "tpu"], BACKEND_FLAGS)),
    /--backend tpu is unknown/,
  );
  assert.throws(() => backendFromArgs(parseArgs(["--threads", "0"], BACKEND_FLAGS)), UsageError);
  assert.throws(
    () => backendFromArgs(parseArgs(["--threads", "1.5"], BACKEND_FLAGS)),
    /--threads needs a whole/,
  );
  // More threads than cores only contend (15x slower): refused, naming the cores.
  const cores = navigator.hardwareConcurrency;
  assert.equal(backendFromArgs(parseArgs(["--threads", String(cores)], BACKEND_FLAGS)).threads, cores);
  assert.throws(
    () => backendFromArgs(parseArgs(["--threads", "999"], BACKEND_FLAGS)),
    (e: Error) =>
      e instanceof UsageError &&
      e.message.includes(`--threads 999 is more than the ${cores} cores`) &&
      e.message.includes(`at most --threads ${cores}`),
  );
});

Deno.test("modelConfigFromArgs: the recommended version's defaults unless flags say otherwise", () => {
  const model = (...args: string[]) => modelConfigFromArgs(parseArgs(args, MODEL_FLAGS));
  assert.deepEqual(model(), modelDefaults(RECOMMENDED_MODEL_VERSION));
  // v1: the original's settings, with the settings it doesn't have left absent.
  assert.deepEqual(model("--version", "1"), DEFAULT_MODEL);
  const v1 = model(
    "--version",
    "1",
    "--epochs",
    "3",
    "--batch",
    "8",
    "--loss",
    "cce",
    "--augment",
    "--mirror",
  );
  assert.equal(v1.epochs, 3);
  assert.equal(v1.batchSize, 8);
  assert.equal(v1.loss, "categorical_crossentropy");
  assert.equal(v1.augment?.mirror, true);
  assert.equal("optimizer" in v1, false);
  const v4 = model("--schedule", "constant", "--dropout", "0", "--targets", "genres,year");
  assert.equal(v4.optimizer, "adamw");
  assert.equal(v4.schedule, "constant");
  assert.equal(v4.dropout, 0);
  assert.deepEqual(v4.targets, ["year"]);
  // Mirrored test views: on for v4 unless turned off, off for v1 unless asked.
  assert.equal(v4.testTimeMirror, true);
  assert.equal(model("--test-time-mirror=false").testTimeMirror, false);
  assert.equal("testTimeMirror" in v1, false);
  assert.equal(model("--version", "1", "--test-time-mirror").testTimeMirror, true);
  // The branch's networks: both for v4; --branch-network picks, and turns a branch on for v1.
  assert.equal(v4.featureBranch?.network, "mobilenet_v2+inception_v3");
  assert.equal(model("--branch-network", "mobilenet_v2").featureBranch?.network, "mobilenet_v2");
  assert.equal(model("--branch-network", "mobilenet_v2").featureBranch?.epochs, v4.featureBranch?.epochs);
  assert.equal("featureBranch" in v1, false);
  assert.equal(
    model("--version", "1", "--branch-network", "mobilenet_v2").featureBranch?.network,
    "mobilenet_v2",
  );
  assert.equal(model("--feature-branch=false").featureBranch, undefined);
  assert.throws(
    () => model("--branch-network", "resnet"),
    /--branch-network resnet is not one of mobilenet_v2, /,
  );
  assert.throws(
    () => model("--feature-branch=false", "--branch-network", "mobilenet_v2"),
    /--branch-network needs a branch/,
  );
  // The refit: on for v4; --branch-refit=false turns it off, and --branch-refit asks for a branch.
  assert.equal(v4.featureBranch?.refit, true);
  assert.equal(model("--branch-refit=false").featureBranch?.refit, false);
  assert.equal(model("--branch-refit=false").featureBranch?.network, v4.featureBranch?.network);
  assert.equal(model("--version", "1", "--branch-refit").featureBranch?.refit, true);
  assert.throws(
    () => model("--feature-branch=false", "--branch-refit"),
    /--branch-refit needs a branch/,
  );
});

Deno.test("modelConfigFromArgs: lib/config.ts's rules as usage errors naming the flags", () => {
  const model = (...args: string[]) => modelConfigFromArgs(parseArgs(args, MODEL_FLAGS));
  assert.throws(
    () => model("--version", "5"),
    (e: Error) => e instanceof UsageError && /--version must be 1, 2, 3 or 4, got 5/.test(e.message),
  );
  assert.throws(() => model("--epochs", "0"), /--epochs must be a whole number of at least 1, got 0/);
  assert.throws(() => model("--batch", "2.5"), /--batch must be a whole number/);
  assert.throws(() => model("--patience", "-1"), /--patience must be 0 or more/);
  assert.throws(() => model("--dropout", "1"), /--dropout must be from 0 to below 1/);
  assert.throws(() => model("--optimizer", "sgd"), /--optimizer must be rmsprop or adamw, got sgd/);
  assert.throws(
    () => model("--version", "1", "--schedule", "cosine"),
    /--schedule cosine needs the adamw optimizer/,
  );
  assert.throws(() => model("--loss", "mse"), /--loss: Unknown loss "mse"/);
  assert.throws(() => model("--targets", "year"), /--targets: The targets must include genres/);
});

Deno.test("TRAIN_FLAGS: one --models-dir, defaults from lib/config.ts in the help", () => {
  assert.deepEqual(trainOptionsFromArgs(parseArgs([], TRAIN_FLAGS)), {
    resume: false,
    savedModelsDir: SAVED_MODELS_DIR,
    checkpointEveryBatches: 100,
    force: false,
  });
  assert.deepEqual(
    trainOptionsFromArgs(parseArgs(["--name", "mine", "--force"], TRAIN_FLAGS)),
    {
      resume: false,
      savedModelsDir: SAVED_MODELS_DIR,
      checkpointEveryBatches: 100,
      name: "mine",
      force: true,
    },
  );
  assert.throws(() => trainOptionsFromArgs(parseArgs(["--name", "../x"], TRAIN_FLAGS)), /--name "..\/x"/);
  assert.equal(
    trainOptionsFromArgs(parseArgs(["--models-dir", "elsewhere"], TRAIN_FLAGS)).savedModelsDir,
    "elsewhere",
  );
  assert.throws(() => parseArgs(["--saved-models", "x"], TRAIN_FLAGS), /Unknown flag --saved-models/);
  const help = usage(TRAIN_FLAGS);
  assert.match(help, new RegExp(`--version NUMBER .*\\(default ${RECOMMENDED_MODEL_VERSION}\\)`));
  assert.match(
    help,
    new RegExp(`--epochs NUMBER .*v1-3: ${DEFAULT_MODEL.epochs}, v4: ${modelDefaults(4).epochs}`),
  );
  assert.match(help, /--optimizer STRING +rmsprop or adamw \(default v1-3: rmsprop, v4: adamw\)/);
});

Deno.test("usage: a flag longer than the column still leaves a space before its help, and the column is shared", () => {
  const help = usage({
    short: { type: "boolean", help: "a short flag" },
    "discriminator-learning-rate": { type: "number", help: "its own rate" },
  });
  const lines = help.split("\n");
  assert.match(lines[1], /--discriminator-learning-rate NUMBER +its own rate/);
  assert.equal(lines[0].indexOf("a short flag"), lines[1].indexOf("its own rate"));
});
