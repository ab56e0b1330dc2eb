/**
 * The pictures README.md and docs/dcgan.md show of a run, made from the run folder so they can be remade: the first
 * row of the sample grid at evenly spaced steps (a progress strip), the final grid, and for a
 * conditional run "a Sci-Fi poster from the 1980s" beside "a Romance poster from the 2000s", both as the
 * generator draws them (one candidate, no truncation, so runs compare), and the first of them as drawn
 * beside the same noise as `dcgan:sample` draws by default (the best of several, truncated; when the run's
 * discriminator has the classifier to choose with).
 *
 * @example
 * ```ts
 * const written = await writeRunFigures("runs/dcgan/cdcgan64x96", "docs/images");
 * console.log(written.progress); // docs/images/dcgan_progress.webp
 * ```
 *
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "../util/files.ts";
import { pickFrames } from "./video.ts";
import { readRunMetadata, runPaths } from "./run.ts";
import { sampleConditional, sampleWithSource } from "./sample.ts";

/** What {@linkcode writeRunFigures} wrote. */
export interface RunFigures {
  /** First grid row at `steps`, top to bottom. */
  progress: string;
  steps: number[];
  /** The last grid. */
  final: string;
  /** Conditional runs: the two asked-for grids side by side, and what each shows. */
  conditional?: string;
  conditions?: { genre: string; decade: number }[];
  /**
   * How much the condition changes a poster, against how much the noise does: the mean pixel
   * difference between the two conditions' samples from the same noise, over the difference between
   * the first condition's samples from two noises. Near 0: the condition is ignored (the same noise
   * gives the same poster for every genre); 1: a new condition changes a poster as much as new noise.
   */
  conditionEffect?: number;
  /** Conditional runs with a classifier: the first condition as drawn beside `dcgan:sample`'s defaults. */
  bestOfK?: string;
}

/** Options of {@linkcode writeRunFigures}. */
export interface RunFigureOptions {
  /** Grids in the progress strip. Default 8. */
  frames?: number;
  /** The two conditions of the side-by-side picture. Default Sci-Fi 1980s, Romance 2000s. */
  conditions?: { genre: string; decade: number }[];
  /** Posters per condition. Default 8 (2 rows of 4). */
  count?: number;
  /** Noise seed of the conditional samples (the same noise for both). Default 1. */
  seed?: number;
}

const bytes = (buffer: Uint8Array | ArrayBuffer) => new Uint8Array(buffer as ArrayBuffer);
/** Noisy samples make big PNGs; lossless-looking WebP is a tenth of the size for the docs. */
const WEBP = { quality: 90 };

/**
 * Writes the run's figures into `outDir` (dcgan_progress.webp, dcgan_grid_final.webp, and for conditional
 * runs dcgan_conditional.webp and, with a classifier, dcgan_best_of_k.webp).
 */
export async function writeRunFigures(
  runDir: string,
  outDir: string,
  options: RunFigureOptions = {},
): Promise<RunFigures> {
  const metadata = await readRunMetadata(runDir);
  if (!metadata) throw new Error(`${runDir} has no metadata.json: train it with deno task dcgan:train.`);
  const paths = runPaths(runDir);
  const grids: { step: number; path: string }[] = [];
  for await (const entry of Deno.readDir(paths.grids)) {
    const match = /^step_(\d+)\.png$/.exec(entry.name);
    if (match) grids.push({ step: Number(match[1]), path: join(paths.grids, entry.name) });
  }
  if (grids.length === 0) throw new Error(`${paths.grids} has no sample grids yet: train the run first.`);
  grids.sort((a, b) => a.step - b.step);
  await Deno.mkdir(outDir, { recursive: true });

  const chosen = pickFrames(grids.length, options.frames ?? 8).map((i) => grids[i]);
  const { width, height } = await sharp(chosen[0].path).metadata();
  const rowHeight = Math.round(height! / metadata.gridLayout.rows);
  const rows = await Promise.all(
    chosen.map((g) =>
      sharp(g.path).extract({ left: 0, top: 0, width: width!, height: rowHeight }).png().toBuffer()
    ),
  );
  const strip = await sharp({
    create: { width: width!, height: rowHeight * rows.length, channels: 3, background: "#ffffff" },
  })
    .composite(rows.map((input, i) => ({ input, left: 0, top: i * rowHeight })))
    .webp(WEBP)
    .toBuffer();
  const progress = join(outDir, "dcgan_progress.webp");
  await writeFileAtomic(progress, bytes(strip));
  const final = join(outDir, "dcgan_grid_final.webp");
  await writeFileAtomic(final, bytes(await sharp(grids.at(-1)!.path).webp(WEBP).toBuffer()));
  const figures: RunFigures = { progress, steps: chosen.map((g) => g.step), final };
  if (!metadata.conditional) return figures;

  const conditions = options.conditions ??
    [{ genre: "Sci-Fi", decade: 1980 }, { genre: "Romance", decade: 2000 }];
  const count = options.count ?? 8;
  const seed = options.seed ?? 1;
  const samples = [];
  for (const { genre, decade } of conditions) {
    samples.push(
      await sampleConditional({ runDir, genres: [genre], decade, count, seed, columns: 4, ...AS_DRAWN }),
    );
  }
  const [first] = conditions;
  const otherNoise = await sampleConditional({
    runDir,
    genres: [first.genre],
    decade: first.decade,
    count,
    seed: seed + 1,
    columns: 4,
    out: join(paths.samples, `${first.genre}_${first.decade}s_other_noise.png`),
    ...AS_DRAWN,
  });
  const raw = (path: string) => sharp(path).raw().toBuffer();
  const [a, b, a2] = await Promise.all([raw(samples[0]), raw(samples[1]), raw(otherNoise)]);
  const meanDifference = (x: Uint8Array, y: Uint8Array) => {
    let sum = 0;
    for (let i = 0; i < x.length; i++) sum += Math.abs(x[i] - y[i]);
    return sum / x.length;
  };
  const noiseDifference = meanDifference(a, a2);
  const conditionEffect = noiseDifference > 0
    ? Math.round((meanDifference(a, b) / noiseDifference) * 100) / 100
    : 0;
  const conditional = join(outDir, "dcgan_conditional.webp");
  await writeFileAtomic(conditional, await sideBySide(samples));
  const written = { ...figures, conditional, conditions, conditionEffect };
  // As dcgan:sample draws by default; a run without the classifier draws one candidate each, and the
  // picture would show the truncation alone, so it is left out.
  const best = await sampleWithSource({
    runDir,
    genres: [first.genre],
    decade: first.decade,
    count,
    seed,
    columns: 4,
    out: join(paths.samples, `${first.genre}_${first.decade}s_best_of_k.png`),
  });
  if (best.sampling.candidates === 1) return written;
  const bestOfK = join(outDir, "dcgan_best_of_k.webp");
  await writeFileAtomic(bestOfK, await sideBySide([samples[0], best.out]));
  return { ...written, bestOfK };
}

/** The generator's own draws: one candidate, no truncation (the figures compare runs, not samplings). */
const AS_DRAWN = { candidates: 1, truncation: 1 } as const;

/** Grids side by side, 12 pixels apart on white, as WebP. */
async function sideBySide(paths: string[]): Promise<Uint8Array> {
  const sizes = await Promise.all(paths.map((p) => sharp(p).metadata()));
  const gap = 12;
  const side = await sharp({
    create: {
      width: sizes.reduce((w, m) => w + m.width!, 0) + gap * (paths.length - 1),
      height: Math.max(...sizes.map((m) => m.height!)),
      channels: 3,
      background: "#ffffff",
    },
  })
    .composite(paths.map((input, i) => ({
      input,
      left: sizes.slice(0, i).reduce((w, m) => w + m.width! + gap, 0),
      top: 0,
    })))
    .webp(WEBP)
    .toBuffer();
  return bytes(side);
}
