/**
 * `deno task dcgan:sample --genre Sci-Fi --decade 1980 [--count 16] [--name cdcgan64x96] [--seed N]
 *  [--candidates 8] [--truncation 0.8] [--epoch N] [--out FILE] [--shipped-dir models]`
 * `deno task dcgan:sample --out-dir DIR [--count 500] [--genre G --decade D] [--force] ...`
 * `deno task dcgan:sample --quality [--inception] [--quality-model NAME] [--candidates K] [--truncation F]`
 *
 * Asks a conditional DCGAN run for posters of a genre (or several: --genre Action,Sci-Fi) and a decade,
 * and writes them as one grid PNG; with --out-dir, one PNG per poster instead (for `deno task fid`),
 * by default with the genres and decades of the generator's own training posters. Without a run of
 * that name (a fresh clone) the generator shipped in models/generators/ answers (`deno task
 * dcgan:export` puts one there); the first line says which. With --quality it draws no files: it
 * measures the posters these flags draw, as a run's quality figures are measured. The work is in
 * lib/gan/sample.ts and lib/gan/sampling_quality.ts.
 */
import { initBackend } from "../lib/backend/mod.ts";
import {
  BACKEND_FLAGS,
  backendFromArgs,
  folderNameFromArgs,
  parseArgs,
  runCli,
  SHIPPED_DIR_FLAG,
  UsageError,
} from "../lib/cli_args.ts";
import { DEFAULT_DCGAN_SAMPLE } from "../lib/config.ts";
import { runFolder } from "../lib/training/run.ts";
import { describeSampling, describeSource, samplePosters, sampleWithSource } from "../lib/gan/sample.ts";
import { parseGenre } from "../lib/models/dcgan.ts";
import { checkTruncation } from "../lib/gan/make_posters.ts";
import { checkCandidates } from "../lib/gan/choose_posters.ts";
import { describeQuality } from "../lib/gan/generator_quality.ts";
import { measureSampling } from "../lib/gan/sampling_quality.ts";

const FLAGS = {
  genre: { type: "list", help: "genre(s) to ask for, e.g. Sci-Fi or Action,Sci-Fi" },
  decade: { type: "number", help: "release decade, e.g. 1980" },
  count: { type: "number", help: "posters in the grid or folder", default: DEFAULT_DCGAN_SAMPLE.count },
  columns: { type: "number", help: "posters per grid row (default: a square grid)" },
  name: {
    type: "string",
    help: `conditional run under runs/dcgan/, else the shipped generator of that name (default ` +
      `${DEFAULT_DCGAN_SAMPLE.run}, else the first shipped one)`,
  },
  seed: {
    type: "number",
    help:
      `noise seed (default ${DEFAULT_DCGAN_SAMPLE.seed}; with --quality: the run's own, so its figures compare)`,
  },
  truncation: {
    type: "number",
    help: "the truncation trick: the noise times this factor in (0, 1]; below 1, more typical, less " +
      "varied posters (docs/dcgan.md, 'Truncation')",
    default: DEFAULT_DCGAN_SAMPLE.truncation,
  },
  candidates: {
    type: "number",
    help: "draw this many posters for each one asked and keep the one the discriminator's classifier " +
      "reads most surely as the asked genres and decade; 1: the draw as it comes (docs/dcgan.md, " +
      `'Best of K'; default ${DEFAULT_DCGAN_SAMPLE.candidates} when the generator has its classifier, else 1)`,
  },
  epoch: {
    type: "number",
    help: "a run's generator as saved at the end of this epoch, not its latest (one candidate per poster)",
  },
  quality: {
    type: "boolean",
    help: "write no posters: measure the ones these flags draw, as a run's quality figures (the genre " +
      "CNN's distance, genre hits, decades; needs the generator's training set prepared)",
  },
  inception: { type: "boolean", help: "with --quality: also the InceptionV3 distance (minutes on 2 cores)" },
  "quality-model": { type: "string", help: "with --quality: the saved genre CNN that judges" },
  out: { type: "string", help: "PNG to write (default runs/dcgan/<name>/samples/...)" },
  "out-dir": {
    type: "string",
    help: "write one PNG per poster into this folder instead of a grid (for deno task fid); without " +
      "--genre and --decade each poster gets those of a random poster of the generator's training set " +
      "(as its run or generator.json records it; that set must be prepared under its data folder)",
  },
  force: { type: "boolean", help: "with --out-dir: write into a folder that already holds images" },
  ...BACKEND_FLAGS,
  "shipped-dir": {
    ...SHIPPED_DIR_FLAG["shipped-dir"],
    help: "folder of the models that come with posterlab; its generators/ answer when the run is missing",
  },
} as const;

await runCli("Generate posters of a genre and decade with a conditional DCGAN.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
  const runDir = runFolder("dcgan", folderNameFromArgs(flags.name ?? DEFAULT_DCGAN_SAMPLE.run, "name"));
  const outDir = flags["out-dir"];
  const quality = flags.quality ?? false;
  if (!quality && (flags.inception || flags["quality-model"])) {
    throw new UsageError("--inception and --quality-model go with --quality.");
  }
  if (quality && (outDir || flags.out || flags.genre?.length || flags.decade !== undefined)) {
    throw new UsageError(
      "--quality writes nothing and asks for the training set's own genres and decades: leave out " +
        "--out, --out-dir, --genre and --decade.",
    );
  }
  if (flags.force && !outDir) throw new UsageError("--force goes with --out-dir.");
  if (outDir && (flags.out || flags.columns !== undefined)) {
    throw new UsageError("--out-dir writes one PNG per poster: --out and --columns are for a grid.");
  }
  if (!outDir && !quality && !flags.genre?.length) {
    throw new UsageError("--genre is required, e.g. --genre Sci-Fi.");
  }
  if (!outDir && !quality && flags.decade === undefined) {
    throw new UsageError("--decade is required, e.g. --decade 1980.");
  }
  const { name: backendName, threads } = backendFromArgs(flags);
  flags.genre?.forEach(parseGenre); // a misspelt genre fails before the backend loads
  try {
    checkTruncation(flags.truncation!);
  } catch (error) {
    throw new UsageError(`--truncation: ${(error as Error).message}`);
  }
  try {
    if (flags.candidates !== undefined) checkCandidates(flags.candidates);
  } catch (error) {
    throw new UsageError(`--candidates: ${(error as Error).message}`);
  }
  await initBackend(backendName, { threads });
  const asked = {
    runDir,
    shippedDir: flags["shipped-dir"],
    exactName: flags.name !== undefined,
    count: flags.count!,
    seed: flags.seed ?? DEFAULT_DCGAN_SAMPLE.seed,
    truncation: flags.truncation!,
    ...(flags.candidates !== undefined ? { candidates: flags.candidates } : {}),
    ...(flags.epoch !== undefined ? { epoch: flags.epoch } : {}),
    ...(flags.genre?.length ? { genres: flags.genre } : {}),
    ...(flags.decade !== undefined ? { decade: flags.decade } : {}),
  };
  if (quality) {
    const { record, source, sampling } = await measureSampling({
      ...asked,
      ...(flags.seed !== undefined ? { qualitySeed: flags.seed } : {}),
      inception: flags.inception ?? false,
      ...(flags["quality-model"] ? { qualityModel: flags["quality-model"] } : {}),
    });
    console.log(`generator: ${describeSource(source)}`);
    console.log(`posters: ${describeSampling(sampling)}`);
    console.log(describeQuality(record));
    const hits = record.genreHits;
    if (hits?.perGenre) {
      const rows = Object.entries(hits.perGenre).map(([genre, rate]) =>
        `${genre} ${rate} (real ${hits.realPerGenre?.[genre] ?? "?"})`
      );
      console.log(`asked genre on top, per genre: ${rows.join(", ")}`);
    }
    return;
  }
  if (outDir) {
    const written = await samplePosters({ ...asked, outDir, force: flags.force ?? false });
    console.log(`generator: ${describeSource(written.source)}`);
    console.log(`posters: ${describeSampling(written.sampling)}`);
    console.log(
      `${written.files.length} posters (${written.width}x${written.height}, ${written.conditions}): ` +
        `${written.dir}/poster_*.png`,
    );
    if (written.kept) {
      console.error(`dcgan:sample: ${written.kept} older images stay in ${written.dir} (fid reads them too)`);
    }
    return;
  }
  const { out, source, sampling } = await sampleWithSource({
    ...asked,
    ...(flags.columns !== undefined ? { columns: flags.columns } : {}),
    ...(flags.out ? { out: flags.out } : {}),
  });
  console.log(`generator: ${describeSource(source)}`);
  console.log(`posters: ${describeSampling(sampling)}`);
  console.log(`${flags.count} ${flags.genre!.join("/")} posters of the ${flags.decade}s: ${out}`);
});
