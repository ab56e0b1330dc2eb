import assert from "node:assert/strict";
import sharp from "sharp";
import { join } from "node:path";
import { pickFrames, writeTrainingVideo } from "../../lib/gan/video.ts";

async function frames(dir: string, count: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `step_${i}.png`);
    await sharp({ create: { width: 20, height: 12, channels: 3, background: { r: 20 * i, g: 0, b: 0 } } })
      .png().toFile(path);
    paths.push(path);
  }
  return paths;
}

Deno.test("pickFrames keeps the first and last and spaces the rest evenly", () => {
  assert.deepEqual(pickFrames(3, 10), [0, 1, 2]);
  assert.deepEqual(pickFrames(10, 4), [0, 3, 6, 9]);
});

Deno.test("writeTrainingVideo joins the grids into an animated WebP and GIF", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await frames(dir, 5);
    const webp = await writeTrainingVideo(join(dir, "training.webp"), paths, { ffmpeg: null });
    assert.equal(webp.frames, 5);
    const meta = await sharp(webp.animation, { animated: true }).metadata();
    assert.equal(meta.format, "webp");
    assert.equal(meta.pages, 5);
    assert.equal(meta.pageHeight, 12);
    assert.equal(meta.delay?.at(-1), 2000); // the last frame holds
    const gif = await writeTrainingVideo(join(dir, "training.gif"), paths, { ffmpeg: null, maxFrames: 3 });
    const gifMeta = await sharp(gif.animation, { animated: true }).metadata();
    assert.equal(gifMeta.format, "gif");
    assert.equal(gifMeta.pages, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeTrainingVideo writes a real H.264 MP4 with ffmpeg (installed by .ci/run)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await frames(dir, 6);
    const result = await writeTrainingVideo(join(dir, "training.webp"), paths);
    assert.equal(result.mp4, join(dir, "training.mp4"), result.mp4Skipped ?? "");
    const bytes = await Deno.readFile(result.mp4!);
    assert.equal(new TextDecoder().decode(bytes.subarray(4, 8)), "ftyp");
    const probe = await new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-count_frames",
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=codec_name,width,height,nb_read_frames",
        "-of",
        "json",
        result.mp4!,
      ],
      stdout: "piped",
    }).output();
    const stream = JSON.parse(new TextDecoder().decode(probe.stdout)).streams[0];
    assert.equal(stream.codec_name, "h264");
    assert.deepEqual([stream.width, stream.height], [20, 12]);
    assert.ok(Number(stream.nb_read_frames) >= 6, `frames: ${stream.nb_read_frames}`);
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => /tmp|frames/.test(e.name)), []); // no leftovers
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeTrainingVideo says why there is no MP4 when ffmpeg is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await writeTrainingVideo(join(dir, "v.webp"), await frames(dir, 2), {
      ffmpeg: "/nonexistent/ffmpeg",
    });
    assert.equal(result.mp4, undefined);
    assert.match(result.mp4Skipped!, /no \/nonexistent\/ffmpeg on the PATH/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeTrainingVideo refuses no frames and unknown formats", async () => {
  await assert.rejects(() => writeTrainingVideo("x.webp", []), /No grid images/);
  await assert.rejects(() => writeTrainingVideo("x.avi", ["a.png"]), /must end in .webp or .gif/);
});
