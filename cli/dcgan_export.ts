/**
 * `deno task dcgan:export [--name cdcgan64x96] [--out models/generators/<name>] [--force] [--float16]
 *  [--command "..."] [--commit REV]`
 *
 * Writes a DCGAN run's generator (its weight average when it keeps one) into a self-contained folder:
 * model.json + weights.bin (TensorFlow.js layers) and generator.json (size, noise length, genres and
 * decades, the run's recipe and last figures, the command and commit, a licence note). By default it
 * lands in models/generators/<name>/, where `dcgan:sample` and `deno task serve` find it on a fresh
 * clone. An existing folder is replaced only with --force, atomically. --float16 halves weights.bin and
 * prints how far the posters move. The work is in lib/gan/shipped.ts.
 */
import { folderNameFromArgs, parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { DEFAULT_DCGAN_SAMPLE } from "../lib/config.ts";
import { join } from "node:path";
import { exportGenerator, shippedGeneratorsDir } from "../lib/gan/shipped.ts";
import { describeGenerator } from "../lib/gan/generator_record.ts";
import { codeVersion } from "../lib/report/provenance.ts";
import { runFolder } from "../lib/training/run.ts";

const FLAGS = {
  name: { type: "string", help: "run under runs/dcgan/", default: DEFAULT_DCGAN_SAMPLE.run },
  out: { type: "string", help: "folder to write (default models/generators/<name>)" },
  force: { type: "boolean", help: "replace --out when it exists" },
  float16: {
    type: "boolean",
    help: "store the weights as float16 (half the bytes) and print how much that changes the posters",
  },
  command: { type: "string", help: "the command that trained the run, for generator.json" },
  commit: { type: "string", help: "the commit of the code that trained it, for generator.json" },
} as const;

await runCli("Export a DCGAN run's generator into a folder that ships with posterlab.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
  const name = folderNameFromArgs(flags.name!, "name");
  const outDir = flags.out ?? join(shippedGeneratorsDir(), name);
  const trainedBy = flags.command || flags.commit
    ? {
      ...(flags.command ? { command: flags.command } : {}),
      ...(flags.commit ? { commit: flags.commit } : {}),
    }
    : undefined;
  const { commit } = await codeVersion();
  const { dir, record } = await exportGenerator({
    runDir: runFolder("dcgan", name),
    outDir,
    force: flags.force ?? false,
    float16: flags.float16 ?? false,
    ...(trainedBy ? { trainedBy } : {}),
    ...(commit ? { commit: commit.slice(0, 7) } : {}),
  });
  console.log(
    `${describeGenerator(record)} (${record.weights === "average" ? "weight average" : "generator"})`,
  );
  console.log(
    `${dir}: ${(record.bytes / 1e6).toFixed(2)} MB (model.json + weights.bin, ${record.storage.dtype}) and ` +
      `generator.json`,
  );
  if (record.classifier) {
    console.log(
      `${dir}/${record.classifier.folder}: ${(record.classifier.bytes / 1e6).toFixed(2)} MB, the ` +
        `discriminator's classifier (dcgan:sample --candidates picks with it)`,
    );
  }
  const difference = record.storage.pixelDifference;
  if (difference) {
    console.log(
      `float16 against float32: pixel values (0-255) differ by ${difference.mean.toFixed(3)} on average, ` +
        `${difference.max} at most, over ${difference.posters} posters (seed ${difference.seed})`,
    );
  }
});
