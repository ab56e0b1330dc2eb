import assert from "node:assert/strict";
import sharp from "sharp";
import { decodeRgb } from "../../lib/images/resize.ts";
import { jpegShrinkOnLoad, shrinkRgb } from "../../lib/images/shrink.ts";

const SIZE = { width: 55, height: 80 };

/** A poster-like test card: gradients, stripes of several widths, a few hard-edged blocks. */
function testCard(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const stripe = Math.floor(x / (1 + Math.floor(y / 40))) % 2;
      const block = (Math.floor(x / 23) + Math.floor(y / 31)) % 3 === 0;
      pixels[i] = block ? 230 : Math.round((255 * x) / width);
      pixels[i + 1] = block ? 20 : Math.round((255 * y) / height);
      pixels[i + 2] = y < height / 4 ? 200 * stripe + 30 : 90;
    }
  }
  return pixels;
}

/** Mean absolute difference of two byte arrays, in levels of 255. */
function meanDifference(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

Deno.test("jpegShrinkOnLoad: the largest of 8, 4, 2 within the shrink, one step less at its whole part", () => {
  const cases: [number, number][] = [[1.5, 1], [2.5, 1], [3.31, 2], [4.2, 2], [5.39, 4], [8.5, 4], [9.1, 8], [
    20,
    8,
  ]];
  for (const [shrink, factor] of cases) assert.equal(jpegShrinkOnLoad(shrink), factor, `shrink ${shrink}`);
});

Deno.test("shrinkRgb: a PNG poster's pixels within half a level of libvips's Lanczos", async () => {
  for (const [width, height] of [[182, 268], [300, 450]]) {
    const pixels = testCard(width, height);
    const png = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
    const libvips = await decodeRgb({ bytes: new Uint8Array(png), name: "card.png" }, SIZE);
    const mine = shrinkRgb({ pixels, width, height }, SIZE, { jpeg: false });
    const difference = meanDifference(mine, libvips);
    assert.ok(difference < 0.6, `${width}x${height}: ${difference.toFixed(3)} levels`);
  }
});

Deno.test("shrinkRgb: a JPEG poster within a few levels of libvips's shrink-on-load and Lanczos", async () => {
  for (const [width, height] of [[182, 268], [300, 450]]) {
    const jpeg = await sharp(testCard(width, height), { raw: { width, height, channels: 3 } }).jpeg({
      quality: 90,
    })
      .toBuffer();
    const bytes = new Uint8Array(jpeg);
    const libvips = await decodeRgb({ bytes, name: "card.jpg" }, SIZE);
    // The whole JPEG decoded, as the browser gives it.
    const full = new Uint8Array(await sharp(bytes).raw().toBuffer());
    const mine = meanDifference(shrinkRgb({ pixels: full, width, height }, SIZE, { jpeg: true }), libvips);
    const plain = meanDifference(shrinkRgb({ pixels: full, width, height }, SIZE, { jpeg: false }), libvips);
    assert.ok(mine < 4, `${width}x${height}: ${mine.toFixed(3)} levels`);
    // Only a half-size decode is emulated (182x268: shrink 3.3); at a quarter (300x450: 5.4) it is Lanczos.
    if (width === 300) assert.equal(mine, plain);
    else assert.notEqual(mine, plain);
  }
});

Deno.test("shrinkRgb: a flat image stays flat, one at the target size is returned as it is, bad lengths refused", () => {
  const grey = { pixels: new Uint8Array(182 * 268 * 3).fill(77), width: 182, height: 268 };
  assert.ok(shrinkRgb(grey, SIZE, { jpeg: true }).every((v) => v === 77));
  const small = { pixels: testCard(55, 80), width: 55, height: 80 };
  assert.deepEqual(shrinkRgb(small, SIZE, { jpeg: true }), small.pixels);
  assert.throws(() => shrinkRgb({ ...grey, width: 100 }, SIZE, { jpeg: false }), /100x268 RGB needs/);
});
