/**
 * `deno task dcgan:figures [--name cdcgan64x96] [--out docs/images] [--frames 8]`
 *
 * Writes the pictures README.md and docs/dcgan.md show of a run: the progress strip, the final grid and (conditional runs)
 * Sci-Fi 1980s beside Romance 2000s. The work is in lib/gan/figures.ts.
 */
import { initBackend } from "../lib/backend/mod.ts";
import {
  BACKEND_FLAGS,
  backendFromArgs,
  folderNameFromArgs,
  parseArgs,
  runCli,
  UsageError,
} from "../lib/cli_args.ts";
import { DEFAULT_DCGAN_SAMPLE } from "../lib/config.ts";
import { writeRunFigures } from "../lib/gan/figures.ts";
import { describeQuality } from "../lib/gan/generator_quality.ts";
import { readRunMetadata } from "../lib/gan/run.ts";
import { runFolder } from "../lib/training/run.ts";

const FLAGS = {
  name: { type: "string", help: "run under runs/dcgan/", default: DEFAULT_DCGAN_SAMPLE.run },
  out: { type: "string", help: "folder for the PNGs", default: "docs/images" },
  frames: { type: "number", help: "grids in the progress strip", default: 8 },
  ...BACKEND_FLAGS,
} as const;

await runCli(
  "Write a DCGAN run's progress strip, final grid, conditional samples and best-of-K picture as WebP images.",
  FLAGS,
  async () => {
    const flags = parseArgs(Deno.args, FLAGS);
    if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
    if (!Number.isInteger(flags.frames) || flags.frames! < 2) {
      throw new UsageError(`--frames needs a whole number of 2 or more, got ${flags.frames}.`);
    }
    const runDir = runFolder("dcgan", folderNameFromArgs(flags.name!, "name"));
    const { name: backendName, threads } = backendFromArgs(flags);
    await initBackend(backendName, { threads });
    const written = await writeRunFigures(runDir, flags.out!, {
      frames: flags.frames,
    });
    console.log(`${written.progress} (first grid row at steps ${written.steps.join(", ")})`);
    console.log(written.final);
    if (written.conditional) {
      console.log(
        `${written.conditional} (${written.conditions!.map((c) => `${c.genre} ${c.decade}s`).join(" | ")})`,
      );
      console.log(
        `condition effect ${written.conditionEffect}: the mean pixel change between the two conditions from ` +
          `the same noise, over the change between two noises (0: the condition is ignored)`,
      );
    }
    if (written.bestOfK) {
      console.log(
        `${written.bestOfK} (${written.conditions![0].genre} ${
          written.conditions![0].decade
        }s: as drawn | as ` +
          `dcgan:sample draws by default, the same noise)`,
      );
    }
    const last = (await readRunMetadata(runDir))?.quality.at(-1);
    if (last) console.log(`last quality record (epoch ${last.epoch}): ${describeQuality(last)}`);
    if (last?.genreHits?.realPerGenre) {
      const { perGenre, realPerGenre } = last.genreHits;
      console.log(
        `asked genre on top, generated / real posters: ` +
          Object.keys(perGenre).map((g) => `${g} ${perGenre[g]} / ${realPerGenre[g] ?? "-"}`).join(", "),
      );
    }
  },
);
