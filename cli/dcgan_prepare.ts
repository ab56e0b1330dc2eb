/**
 * `deno task dcgan:prepare [--min-year 1980] [--max-year N] [--include-genres A,B] [--exclude-genres A,B]
 * [--ratio 60] [--size 64x96] [--limit N] [--data-dir DIR]`
 *
 * Selects posters for the DCGAN and decodes them into one RGB training set (data/gan/), then prints
 * the count. The work is in lib/gan/prepare.ts.
 */
import { DATASET_FLAGS, datasetConfigFromArgs, parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { ALL_GENRES, DEFAULT_DCGAN_SHAPE, genreGroup, ORIGINAL_DCGAN_SELECTION } from "../lib/config.ts";
import { prepareTrainingSet } from "../lib/gan/prepare.ts";
import { parseDcganSize, POSTER_SIZES, sizeName } from "../lib/models/dcgan.ts";

const FLAGS = {
  "data-dir": DATASET_FLAGS["data-dir"],
  "min-year": DATASET_FLAGS["min-year"],
  "max-year": DATASET_FLAGS["max-year"],
  "include-genres": { type: "list", help: "keep only posters with at least one of these genres" },
  "exclude-genres": {
    type: "list",
    help: "drop posters with any of these genres, e.g. Animation,Comedy,Family",
  },
  ratio: {
    ...DATASET_FLAGS.ratio,
    help: "source poster size in percent of 182x268 (images/<ratio>/ when resized there, else posters/)",
    default: ORIGINAL_DCGAN_SELECTION.ratio,
  },
  size: {
    type: "string",
    help: `WIDTHxHEIGHT stored, the size dcgan:train trains at (${
      POSTER_SIZES.join(", ")
    }; "ratio": the ratio's)`,
    default: sizeName(DEFAULT_DCGAN_SHAPE),
  },
  limit: { type: "number", help: "keep at most this many posters, spread evenly over the selection" },
} as const;

/** Genre names are checked against the CSV's tags loosely: the 14, plus any capitalised IMDb tag. */
function genreList(names: string[], flag: string): string[] {
  return names.map((name) => {
    const known = ALL_GENRES.find((g) => g.toLowerCase() === name.toLowerCase());
    if (known) return known;
    if (/^[A-Z][A-Za-z-]+$/.test(name)) return name; // e.g. Fantasy, Biography: IMDb tags outside the 14
    throw new UsageError(`--${flag}: "${name}" is not a genre; the 14 are ${ALL_GENRES.join(", ")}.`);
  });
}

await runCli("Select posters by years, genres and ratio into the DCGAN training set.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
  const { dataDir, minYear, maxYear, ratio } = datasetConfigFromArgs({
    ...flags,
    genres: genreGroup(14).length,
  });
  if (flags.limit !== undefined && (!Number.isInteger(flags.limit) || flags.limit < 1)) {
    throw new UsageError(`--limit needs a positive whole number, got ${flags.limit}.`);
  }
  let size: { width: number; height: number } | undefined;
  try {
    size = flags.size === "ratio" ? undefined : parseDcganSize(flags.size!);
  } catch (error) {
    throw new UsageError(`--size: ${(error as Error).message}`);
  }
  const { set, reused, path } = await prepareTrainingSet({
    dataDir,
    minYear,
    maxYear,
    ratio,
    genres: genreList(flags["include-genres"] ?? [], "include-genres"),
    excludeGenres: genreList(flags["exclude-genres"] ?? [], "exclude-genres"),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    ...(size ? { size } : {}),
  });
  console.log(
    `${set.movies.length} posters (${set.width}x${set.height} RGB) in ${path}` +
      `${reused ? " (already prepared, reused)" : ""}; deno task dcgan:train uses this set now.`,
  );
});
