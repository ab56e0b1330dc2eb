import assert from "node:assert/strict";
import sharp from "sharp";
import { decodeRgb, ImageError, imageInfo, resizeToPng } from "../../lib/images/resize.ts";
import { corruptJpeg, makeJpeg } from "../fixtures.ts";

const SIZE = { width: 55, height: 80 };
const RED: [number, number, number] = [220, 30, 30];

async function pngFacts(png: Uint8Array) {
  const meta = await sharp(png).metadata();
  return {
    format: meta.format,
    width: meta.width,
    height: meta.height,
    channels: meta.channels,
    space: meta.space,
  };
}

for (
  const [name, options] of [
    ["an sRGB JPEG", { kind: "srgb" }],
    ["a CMYK JPEG", { kind: "cmyk" }],
    ["a grayscale JPEG", { kind: "gray" }],
    ["PNG bytes (as in a .jpg)", { kind: "png" }],
    ["a PNG with alpha", { kind: "png-alpha" }],
    ["a 300x450 poster", { width: 300, height: 450 }],
    ["a tiny 40x60 poster", { width: 40, height: 60 }],
  ] as const
) {
  Deno.test(`resizeToPng makes ${name} an exact 55x80 RGB PNG`, async () => {
    const bytes = await makeJpeg({ color: RED, ...options });
    const png = await resizeToPng({ bytes, name: "poster.jpg" }, SIZE);
    assert.deepEqual(await pngFacts(png), {
      format: "png",
      width: 55,
      height: 80,
      channels: 3,
      space: "srgb",
    });
  });
}

Deno.test("colours survive the CMYK to RGB conversion, and grayscale stays gray", async () => {
  const fromCmyk = await decodeRgb(
    { bytes: await makeJpeg({ color: RED, kind: "cmyk" }), name: "c.jpg" },
    SIZE,
  );
  const bottom = (rgb: Uint8Array) => Array.from(rgb.subarray(rgb.length - 3)); // below the dark band
  const [r, g, b] = bottom(fromCmyk);
  assert.ok(r > 180 && g < 80 && b < 80, `expected red, got ${[r, g, b]}`);
  const fromGray = bottom(
    await decodeRgb({ bytes: await makeJpeg({ color: RED, kind: "gray" }), name: "g.jpg" }, SIZE),
  );
  assert.ok(fromGray[0] === fromGray[1] && fromGray[1] === fromGray[2], `expected gray, got ${fromGray}`);
});

Deno.test("decodeRgb gives width*height*3 bytes and resizes when the image is another size", async () => {
  const rgb = await decodeRgb({ bytes: await makeJpeg({ width: 300, height: 450 }), name: "p.jpg" }, SIZE);
  assert.equal(rgb.length, 55 * 80 * 3);
});

Deno.test("a transparent area becomes white", async () => {
  const png = await makeJpeg({ color: [0, 0, 0], kind: "png-alpha" });
  const rgb = await decodeRgb({ bytes: png, name: "a.png" }, SIZE);
  const rightmost = Array.from(rgb.subarray((79 * 55 + 54) * 3, (79 * 55 + 55) * 3));
  assert.deepEqual(rightmost, [255, 255, 255]);
});

Deno.test("a corrupt JPEG gives an ImageError naming the file and what to do", async () => {
  await assert.rejects(
    resizeToPng({ bytes: corruptJpeg(), name: "posters/13.jpg" }, SIZE),
    (error: Error) => {
      assert.ok(error instanceof ImageError);
      assert.match(error.message, /^posters\/13\.jpg is not a readable image .*import or download it again/);
      return true;
    },
  );
});

Deno.test("a JPEG cut in half is refused rather than decoded with grey rows", async () => {
  const whole = await makeJpeg({ color: RED });
  await assert.rejects(
    decodeRgb({ bytes: whole.subarray(0, whole.length / 2), name: "cut.jpg" }, SIZE),
    ImageError,
  );
});

Deno.test("an empty file gives an ImageError saying it is empty", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/9.jpg`, new Uint8Array());
  await assert.rejects(decodeRgb(`${dir}/9.jpg`, SIZE), /9\.jpg is empty \(0 bytes\)/);
  await assert.rejects(imageInfo(`${dir}/9.jpg`), ImageError);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("imageInfo reads size and format without decoding", async () => {
  const info = await imageInfo({ bytes: await makeJpeg({ width: 300, height: 450 }), name: "p.jpg" });
  assert.deepEqual(info, { width: 300, height: 450, channels: 3, format: "jpeg" });
});
