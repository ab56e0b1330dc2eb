/**
 * The training video: the sample grids, in order, as an animated WebP or GIF (sharp), and as an MP4
 * when an `ffmpeg` binary is on the PATH.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "../util/files.ts";

/** Options of {@linkcode writeTrainingVideo}. */
export interface VideoOptions {
  /** Milliseconds each frame shows. Default 120. */
  frameMs?: number;
  /** Milliseconds the last frame holds before the loop starts again. Default 2000. */
  holdLastMs?: number;
  /** At most this many frames: longer runs keep evenly spaced grids (always the first and last). Default 300. */
  maxFrames?: number;
  /** The ffmpeg binary for the MP4; `null` skips the MP4. Default `ffmpeg`. */
  ffmpeg?: string | null;
}

/** What {@linkcode writeTrainingVideo} wrote. */
export interface VideoResult {
  /** The animated WebP or GIF. */
  animation: string;
  /** The MP4, or undefined when ffmpeg is missing or failed. */
  mp4?: string;
  /** Why there is no MP4, when there is none. */
  mp4Skipped?: string;
  frames: number;
}

/** Evenly spaced picks of `count` items out of `total`, keeping the first and the last. */
export function pickFrames(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}

/**
 * Joins the PNG `frames` (equal sizes, in order) into `path` (`.webp` or `.gif`), atomically.
 * The MP4 goes next to it with the same name.
 */
export async function writeTrainingVideo(
  path: string,
  frames: string[],
  options: VideoOptions = {},
): Promise<VideoResult> {
  if (frames.length === 0) {
    throw new Error(`No grid images to make ${path} from: train for at least one sample step.`);
  }
  const format = path.endsWith(".gif") ? "gif" : path.endsWith(".webp") ? "webp" : undefined;
  if (!format) throw new Error(`Video path ${path} must end in .webp or .gif.`);
  const chosen = pickFrames(frames.length, options.maxFrames ?? 300).map((i) => frames[i]);
  const frameMs = options.frameMs ?? 120;
  const delay = chosen.map((_, i) => (i === chosen.length - 1 ? (options.holdLastMs ?? 2000) : frameMs));
  const animated = sharp(chosen, { join: { animated: true } });
  const buffer = format === "gif"
    ? await animated.gif({ loop: 0, delay }).toBuffer()
    : await animated.webp({ loop: 0, delay, quality: 80 }).toBuffer();
  await writeFileAtomic(path, new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  const result: VideoResult = { animation: path, frames: chosen.length };
  const ffmpeg = options.ffmpeg === undefined ? "ffmpeg" : options.ffmpeg;
  if (ffmpeg === null) return { ...result, mp4Skipped: "MP4 not asked for" };
  const mp4 = path.replace(/\.(webp|gif)$/, ".mp4");
  const why = await encodeMp4(ffmpeg, chosen, mp4, frameMs);
  return why ? { ...result, mp4Skipped: why } : { ...result, mp4 };
}

/** Encodes the frames with ffmpeg (H.264, even sizes); returns why not, or undefined on success. */
async function encodeMp4(
  ffmpeg: string,
  frames: string[],
  mp4: string,
  frameMs: number,
): Promise<string | undefined> {
  const list = join(dirname(mp4), `.frames-${Deno.pid}.txt`);
  const tmp = `${mp4}.tmp-${Deno.pid}.mp4`;
  const lines = frames.map((f) => resolve(f)).flatMap((
    f,
  ) => [`file '${f.replaceAll("'", "'\\''")}'`, `duration ${frameMs / 1000}`]);
  await Deno.writeTextFile(
    list,
    lines.join("\n") + `\nfile '${resolve(frames.at(-1)!).replaceAll("'", "'\\''")}'\n`,
  );
  try {
    const { success, stderr } = await new Deno.Command(ffmpeg, {
      args: [
        "-y",
        "-loglevel",
        "error",
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        list,
        "-vf",
        "scale=trunc(iw/2)*2:trunc(ih/2)*2",
        "-pix_fmt",
        "yuv420p",
        "-c:v",
        "libx264",
        tmp,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!success) return `ffmpeg failed: ${new TextDecoder().decode(stderr).trim().split("\n").at(-1)}`;
    await Deno.rename(tmp, mp4);
    return undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return `no ${ffmpeg} on the PATH (apt-get install ffmpeg for an MP4)`;
    }
    throw error;
  } finally {
    await Deno.remove(list).catch(() => {});
    await Deno.remove(tmp).catch(() => {});
  }
}
