/**
 * `deno task dcgan:figures [--name cdcgan64x96] [--out docs/images] [--frames 8]`
 *
 * Writes the README's pictures of a run: the progress strip, the final grid and (conditional runs)
 * Sci-Fi 1980s beside Romance 2000s. The work is in lib/gan/figures.ts.
 */
import { join } from "node:path";
import { initBackend } from "../lib/backend/mod.ts";
import { parseArgs, runCli, UsageError } from "../lib/cli_args.ts";
import { BACKEND_ORDER, type BackendName } from "../lib/config.ts";
import { writeRunFigures } from "../lib/gan/figures.ts";
import { DCGAN_RUNS_DIR } from "../lib/gan/run.ts";

const FLAGS = {
  name: { type: "string", help: "run under runs/dcgan/", default: "cdcgan64x96" },
  out: { type: "string", help: "folder for the PNGs", default: "docs/images" },
  frames: { type: "number", help: "grids in the progress strip", default: 8 },
  backend: { type: "string", help: `TensorFlow.js backend: ${BACKEND_ORDER.join(", ")}` },
} as const;

await runCli(
  "Write a DCGAN run's progress strip, final grid and conditional samples as WebP images.",
  FLAGS,
  async () => {
    const flags = parseArgs(Deno.args, FLAGS);
    if (flags._.length) throw new UsageError(`Unexpected argument "${flags._[0]}" (flags start with --).`);
    if (!Number.isInteger(flags.frames) || flags.frames! < 2) {
      throw new UsageError(`--frames needs a whole number of 2 or more, got ${flags.frames}.`);
    }
    if (flags.backend !== undefined && !(BACKEND_ORDER as readonly string[]).includes(flags.backend)) {
      throw new UsageError(`--backend ${flags.backend} is unknown: use one of ${BACKEND_ORDER.join(", ")}.`);
    }
    await initBackend(flags.backend as BackendName | undefined);
    const written = await writeRunFigures(join(DCGAN_RUNS_DIR, flags.name!), flags.out!, {
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
  },
);
