import assert from "node:assert/strict";
import {
  BACKEND_FLAGS,
  backendFromArgs,
  DATASET_FLAGS,
  datasetConfigFromArgs,
  parseArgs,
  UsageError,
} from "../lib/cli_args.ts";
import { DEFAULT_THREADS } from "../lib/config.ts";

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
});
