/**
 * `deno task data [--from DIR] [--download] [--resize 30,40,...] [--min-year N] [--max-year N] [--data-dir DIR]`
 *
 * Imports, downloads and resizes the movie-poster dataset, then prints what the dataset folder
 * holds. All work is in lib/dataset (prepare.ts); this file reads flags.
 */
import {
  DATASET_FLAGS,
  datasetConfigFromArgs,
  MAX_POSTER_FLAG,
  maxPosterBytesFromArgs,
  parseArgs,
  runCli,
  UsageError,
} from "../lib/cli_args.ts";
import { DEFAULT_DOWNLOAD_CONCURRENCY, imageSize } from "../lib/config.ts";
import { datasetSummaryLines, prepareDataset } from "../lib/dataset/prepare.ts";

const FLAGS = {
  from: { type: "string", help: "import a folder holding MovieGenre.csv and posters/<imdbId>.jpg" },
  download: { type: "boolean", help: "fetch missing posters from the CSV's Poster URLs" },
  ...MAX_POSTER_FLAG,
  resize: { type: "list", help: "write images/<ratio>/ for these ratios (percent of 182x268), e.g. 30,60" },
  concurrency: {
    type: "number",
    help: `downloads (default ${DEFAULT_DOWNLOAD_CONCURRENCY}) or resizes (default: CPU cores) at once`,
  },
  "data-dir": DATASET_FLAGS["data-dir"],
  "min-year": DATASET_FLAGS["min-year"],
  "max-year": DATASET_FLAGS["max-year"],
} as const;

await runCli("Import, download and resize the movie-poster dataset.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
  const { dataDir, minYear, maxYear } = datasetConfigFromArgs(flags);
  const ratios = (flags.resize ?? []).map((text) => {
    const ratio = Number(text);
    try {
      imageSize(ratio);
    } catch (error) {
      throw new UsageError(`--resize ${text}: ${(error as Error).message}`);
    }
    return ratio;
  });

  const catalog = await prepareDataset(dataDir, {
    from: flags.from,
    download: flags.download,
    ratios,
    minYear,
    maxYear,
    concurrency: flags.concurrency,
    maxBytes: maxPosterBytesFromArgs(flags),
  });
  for (const line of datasetSummaryLines(catalog, minYear, maxYear)) console.log(line);
});
