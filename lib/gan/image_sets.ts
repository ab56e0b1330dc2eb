/**
 * The two sides of `deno task fid`: a folder of images (jpg, png, webp), or a DCGAN training set that
 * `deno task dcgan:prepare` stored (`data/gan/<key>.json`, the posters a run trained on, at its size),
 * read at one size with the project's decoding (sharp: the whole image, stretched, lib/images/resize.ts).
 *
 * @module
 */
import { basename, dirname, extname } from "node:path";
import { mapConcurrent } from "../util/concurrent.ts";
import { decodeRgb, imageInfo, type Size } from "../images/resize.ts";
import { imageFilesIn } from "../images/folder.ts";
import { PREDICT_DEFAULTS } from "../config.ts";
import { Progress } from "../util/progress.ts";
import type { ImageBatch } from "./grid_layout.ts";
import { planComparison, type PlanOptions } from "./inception_distance.ts";
import { imagesAtSize, readTrainingSet, type TrainingSet } from "./prepare.ts";

/** Images to compare, not yet decoded. */
export interface ImageSetSource {
  /** The path given. */
  path: string;
  /** `folder` or `training set`. */
  kind: string;
  count: number;
  /** The images' common size; an error naming two files when they differ. */
  commonSize(): Promise<Size>;
  /** Images `indices` at `size`, RGB. */
  read(indices: readonly number[], size: Size, label?: string): Promise<ImageBatch>;
}

/**
 * Opens `path`: a folder of images, or a prepared training set's `.json` (or `.rgb`) file. Errors name
 * the path and say what to give instead.
 */
export async function openImageSet(path: string): Promise<ImageSetSource> {
  const stat = await Deno.stat(path).catch(() => undefined);
  if (!stat) {
    throw new Error(
      `${path} does not exist: give a folder of images or a training set from dcgan:prepare (data/gan/<key>.json).`,
    );
  }
  if (stat.isFile && [".json", ".rgb"].includes(extname(path))) {
    const key = basename(path, extname(path));
    const set = await readTrainingSet(dirname(dirname(path)), key).catch((error) => {
      throw new Error(`${path} is not a training set of dcgan:prepare (${(error as Error).message}).`);
    });
    return trainingSetSource(path, set);
  }
  if (!stat.isDirectory) {
    throw new Error(
      `${path} is neither a folder of images nor a training set of dcgan:prepare (data/gan/<key>.json).`,
    );
  }
  const files = await imageFilesIn(path);
  if (files.length === 0) {
    throw new Error(`${path} holds no ${PREDICT_DEFAULTS.imageExtensions.join(", ")} images.`);
  }
  return folderSource(path, files);
}

function folderSource(path: string, files: string[]): ImageSetSource {
  return {
    path,
    kind: "folder",
    count: files.length,
    async commonSize() {
      const sizes = await mapConcurrent(files, 8, async (file) => ({ file, ...(await imageInfo(file)) }));
      const first = sizes[0];
      const other = sizes.find((s) => s.width !== first.width || s.height !== first.height);
      if (other) {
        throw new Error(
          `${path} holds images of different sizes (${
            basename(first.file)
          } is ${first.width}x${first.height}, ` +
            `${
              basename(other.file)
            } ${other.width}x${other.height}): give one generator's images, all of one ` +
            `size (or, for real images measured alone, --size WIDTHxHEIGHT).`,
        );
      }
      return { width: first.width, height: first.height };
    },
    async read(indices, size, label) {
      const bytes = size.width * size.height * 3;
      const pixels = new Uint8Array(indices.length * bytes);
      const progress = label ? new Progress(label, indices.length, { unit: "images" }) : undefined;
      await mapConcurrent([...indices], 4, async (index, i) => {
        pixels.set(await decodeRgb(files[index], size), i * bytes);
        progress?.tick();
      });
      progress?.finish();
      return { count: indices.length, ...size, pixels };
    },
  };
}

function trainingSetSource(path: string, set: TrainingSet): ImageSetSource {
  return {
    path,
    kind: "training set",
    count: set.movies.length,
    commonSize: () => Promise.resolve({ width: set.width, height: set.height }),
    async read(indices, size) {
      const bytes = set.width * set.height * 3;
      const pixels = new Uint8Array(indices.length * bytes);
      indices.forEach((index, i) =>
        pixels.set(set.pixels.subarray(index * bytes, (index + 1) * bytes), i * bytes)
      );
      const picked = { ...set, movies: indices.map((i) => set.movies[i]), pixels };
      return { count: indices.length, ...size, pixels: await imagesAtSize(picked, size) };
    },
  };
}

/** What `deno task fid` compares, decoded: see {@linkcode loadComparison}. */
export interface LoadedComparison {
  real: ImageSetSource;
  /** Absent when only the floor is measured. */
  generated?: ImageSetSource;
  /** The size both sides were read at. */
  size: Size;
  /** `generated` is empty when only the floor is measured. */
  images: { real: ImageBatch; generated: ImageBatch; floorReal?: ImageBatch };
}

/**
 * Opens both sides, picks the images (inception_distance.ts planComparison: `floor`, `limit`) and reads
 * them at `size`, by default the generated images' own (which must then all be one size): real posters
 * go down to it before the judge scales both up alike. Without `generatedPath`, only the floor's two
 * real halves (at `size`, or the real images' own common size). Every error (a missing or empty
 * folder, an unreadable image, too few images) comes here, before the network loads.
 */
export async function loadComparison(
  realPath: string,
  generatedPath: string | undefined,
  options: PlanOptions & { size?: Size } = {},
): Promise<LoadedComparison> {
  const real = await openImageSet(realPath);
  const generated = generatedPath === undefined ? undefined : await openImageSet(generatedPath);
  const plan = planComparison(
    { real: real.count, ...(generated ? { generated: generated.count } : {}) },
    { real: realPath, ...(generatedPath ? { generated: generatedPath } : {}) },
    options,
  );
  const size = options.size ?? await (generated ?? real).commonSize();
  const images = {
    real: await real.read(plan.real, size, "fid: reading real"),
    generated: generated
      ? await generated.read(plan.generated, size, "fid: reading generated")
      : { count: 0, ...size, pixels: new Uint8Array(0) },
    ...(plan.floorReal
      ? { floorReal: await real.read(plan.floorReal, size, "fid: reading real (floor)") }
      : {}),
  };
  return { real, ...(generated ? { generated } : {}), size, images };
}
