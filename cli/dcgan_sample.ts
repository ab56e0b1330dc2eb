/**
 * `deno task dcgan:sample --genre Sci-Fi --decade 1980 [--count 16] [--name cdcgan64] [--seed N] [--out FILE]`
 *
 * Asks a conditional DCGAN run for posters of a genre (or several: --genre Action,Sci-Fi) and a decade,
 * and writes them as one grid PNG. The work is in lib/gan/sample.ts.
 */
import { join } from "node:path";
import { initBackend } from "../lib/backend/mod.ts";
import { parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { BACKEND_ORDER, type BackendName } from "../lib/config.ts";
import { DCGAN_RUNS_DIR } from "../lib/gan/run.ts";
import { sampleConditional } from "../lib/gan/sample.ts";
import { parseGenre } from "../lib/models/dcgan.ts";

const FLAGS = {
  genre: { type: "list", help: "genre(s) to ask for, e.g. Sci-Fi or Action,Sci-Fi" },
  decade: { type: "number", help: "release decade, e.g. 1980" },
  count: { type: "number", help: "posters in the grid", default: 16 },
  columns: { type: "number", help: "posters per grid row (default: a square grid)" },
  name: { type: "string", help: "conditional run under runs/dcgan/", default: "cdcgan64x96" },
  seed: { type: "number", help: "noise seed", default: 1 },
  out: { type: "string", help: "PNG to write (default runs/dcgan/<name>/samples/...)" },
  backend: { type: "string", help: `TensorFlow.js backend: ${BACKEND_ORDER.join(", ")}` },
} as const;

await runCli("Generate posters of a genre and decade with a conditional DCGAN.", FLAGS, async () => {
  const flags = parseArgs(Deno.args, FLAGS);
  if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
  if (!flags.genre?.length) throw new UsageError("--genre is required, e.g. --genre Sci-Fi.");
  if (flags.decade === undefined) throw new UsageError("--decade is required, e.g. --decade 1980.");
  if (flags.backend !== undefined && !(BACKEND_ORDER as readonly string[]).includes(flags.backend)) {
    throw new UsageError(`--backend ${flags.backend} is unknown: use one of ${BACKEND_ORDER.join(", ")}.`);
  }
  flags.genre.forEach(parseGenre); // a misspelt genre fails before the backend loads
  await initBackend(flags.backend as BackendName | undefined);
  const out = await sampleConditional({
    runDir: join(DCGAN_RUNS_DIR, flags.name!),
    genres: flags.genre,
    decade: flags.decade,
    count: flags.count!,
    seed: flags.seed!,
    ...(flags.columns !== undefined ? { columns: flags.columns } : {}),
    ...(flags.out ? { out: flags.out } : {}),
  });
  console.log(`${flags.count} ${flags.genre.join("/")} posters of the ${flags.decade}s: ${out}`);
});
