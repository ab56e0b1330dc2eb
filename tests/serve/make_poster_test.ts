/**
 * "Make a poster" in a real browser (Playwright drives the system's headless Chromium): the page loads an
 * exported generator, draws a grid for a genre and decade, and its pixels are the Deno generator's for
 * the same seed; without a generator the page says how to get one. Its generator routes are served
 * read-only under the server's path rules.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { MAKE_POSTER_DEFAULTS } from "../../lib/config.ts";
import { composeGrid } from "../../lib/gan/grid_layout.ts";
import { makePosters } from "../../lib/gan/make_posters.ts";
import { exportGenerator, loadShippedGenerator } from "../../lib/gan/shipped.ts";
import { makePosterGrid, waitForGenerator, withBrowserPage } from "../../lib/serve/browser.ts";
import { startPageServer } from "../../lib/serve/server.ts";
import { saveFixtureModel } from "../inference/model_fixture.ts";
import { FIXTURE_SHAPE, makeFixtureRun } from "../gan/generator_fixture.ts";

await tf.setBackend("cpu");

/** Largest and mean absolute difference of two byte arrays of one length. */
function difference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  assert.equal(a.length, b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

Deno.test("in Chromium, make a poster draws the generator's grid: right size, by genre, and as Deno draws it", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "m");
  const runDir = await makeFixtureRun(root);
  const generatorDir = join(root, "generators", "g");
  await exportGenerator({ runDir, outDir: generatorDir });
  const halfDir = join(root, "generators", "half");
  await exportGenerator({ runDir, outDir: halfDir, float16: true });
  const server = await startPageServer({ modelDir: join(root, "m"), generatorDir, port: 0 });
  const halfServer = await startPageServer({ modelDir: join(root, "m"), generatorDir: halfDir, port: 0 });
  const bare = await startPageServer({ modelDir: join(root, "m"), port: 0 });
  try {
    const { status, sciFi, romance, again, truncated, best, refused, missing, half } = await withBrowserPage(
      async (page) => {
        await page.goto(`http://127.0.0.1:${server.addr.port}/`);
        const status = await waitForGenerator(page);
        const sciFi = await makePosterGrid(page, { genre: "Sci-Fi", decade: 1980, seed: 7 });
        const romance = await makePosterGrid(page, { genre: "Romance", seed: 7 });
        const again = await makePosterGrid(page, { genre: "Sci-Fi", seed: 8 });
        const truncated = await makePosterGrid(page, { genre: "Sci-Fi", seed: 7, truncation: 0.5 });
        const best = await makePosterGrid(page, { genre: "Sci-Fi", seed: 7, truncation: 1, candidates: 4 });
        // A truncation outside (0, 1] is refused with a message; no grid is drawn.
        await page.fill("#make-truncation", "0");
        await page.click("#make-button");
        await page.waitForSelector("#make-status[data-state=error]", { timeout: 10_000 });
        const refused = (await page.textContent("#make-status")) ?? "";
        await page.goto(`http://127.0.0.1:${bare.addr.port}/`);
        const missing = await waitForGenerator(page);
        await page.goto(`http://127.0.0.1:${halfServer.addr.port}/`);
        await waitForGenerator(page);
        const half = await makePosterGrid(page, { genre: "Sci-Fi", decade: 1980, seed: 7 });
        return { status, sciFi, romance, again, truncated, best, refused, missing, half };
      },
    );
    assert.equal(status.state, "ready", status.text);
    assert.match(status.text, /cdcgan32x48: 32x48, 14 genres x 5 decades/);
    const { rows, columns } = MAKE_POSTER_DEFAULTS;
    const { width, height } = FIXTURE_SHAPE;
    assert.deepEqual([sciFi.width, sciFi.height], [columns * (width + 2) + 2, rows * (height + 2) + 2]);
    assert.deepEqual([sciFi.genre, sciFi.decade, sciFi.seed, sciFi.truncation], [
      "Sci-Fi",
      1980,
      7,
      MAKE_POSTER_DEFAULTS.truncation,
    ]);
    assert.equal(truncated.truncation, 0.5);
    assert.deepEqual([best.truncation, best.candidates, sciFi.candidates], [
      1,
      4,
      MAKE_POSTER_DEFAULTS.candidates,
    ]);
    assert.match(refused, /truncation is a factor in \(0, 1\].*got 0\./);
    assert.deepEqual([romance.genre, romance.decade, romance.seed], ["Romance", 1980, 7]);

    // Not blank: the posters' pixels spread, and the 16 tiles are not one picture.
    const values = new Set(sciFi.pixels);
    assert.ok(values.size > 100, `${values.size} distinct byte values`);
    const tile = (grid: typeof sciFi, t: number) => {
      const x0 = 2 + (t % columns) * (width + 2);
      const y0 = 2 + Math.floor(t / columns) * (height + 2);
      const bytes: number[] = [];
      for (let y = 0; y < height; y++) {
        const start = ((y0 + y) * grid.width + x0) * 3;
        bytes.push(...grid.pixels.subarray(start, start + width * 3));
      }
      return Uint8Array.from(bytes);
    };
    assert.ok(difference(tile(sciFi, 0), tile(sciFi, 1)).mean > 5, "two noises, two posters");
    // The same seed for another genre changes the pixels; another seed changes them too.
    assert.ok(difference(sciFi.pixels, romance.pixels).mean > 1, "Sci-Fi and Romance differ");
    assert.ok(difference(sciFi.pixels, again.pixels).mean > 5, "seed 7 and 8 differ");
    assert.ok(difference(sciFi.pixels, truncated.pixels).mean > 1, "the truncation changes the posters");
    assert.ok(
      difference(sciFi.pixels, best.pixels).mean > 1,
      "choosing among candidates changes the posters",
    );

    // The Deno generator on the same seed and condition, laid out by the same code.
    const { model, record, chooser } = await loadShippedGenerator(generatorDir);
    const cases = [
      [sciFi, "Sci-Fi", MAKE_POSTER_DEFAULTS.truncation, MAKE_POSTER_DEFAULTS.candidates],
      [romance, "Romance", MAKE_POSTER_DEFAULTS.truncation, MAKE_POSTER_DEFAULTS.candidates],
      [truncated, "Sci-Fi", 0.5, MAKE_POSTER_DEFAULTS.candidates],
      [best, "Sci-Fi", 1, 4],
    ] as const;
    for (const [grid, genre, truncation, candidates] of cases) {
      const batch = await makePosters(tf, model, { ...record, ...(chooser ? { chooser } : {}) }, {
        genres: [genre],
        decade: 1980,
        count: rows * columns,
        seed: 7,
        truncation,
        candidates,
      });
      const expected = composeGrid(batch, { rows, columns });
      const { max, mean } = difference(grid.pixels, expected.pixels);
      // Float tolerance: the browser's backend may round a pixel on the other side of .5.
      assert.ok(
        max <= 2 && mean < 0.05,
        `${genre} (${truncation}, ${candidates}): browser vs Deno, max ${max}, mean ${mean}`,
      );
    }
    model.dispose();
    // float16 weights: the browser's TF.js reads them as Deno's does.
    const halfGenerator = await loadShippedGenerator(halfDir);
    const halfInputs = {
      ...halfGenerator.record,
      ...(halfGenerator.chooser ? { chooser: halfGenerator.chooser } : {}),
    };
    const halfBatch = await makePosters(tf, halfGenerator.model, halfInputs, {
      genres: ["Sci-Fi"],
      decade: 1980,
      count: rows * columns,
      seed: 7,
      truncation: MAKE_POSTER_DEFAULTS.truncation,
      candidates: MAKE_POSTER_DEFAULTS.candidates,
    });
    halfGenerator.model.dispose();
    const halfDifference = difference(half.pixels, composeGrid(halfBatch, { rows, columns }).pixels);
    assert.ok(
      halfDifference.max <= 2 && halfDifference.mean < 0.05,
      `float16: ${JSON.stringify(halfDifference)}`,
    );

    assert.equal(missing.state, "missing");
    assert.match(missing.text, /No poster generator is served.*deno task dcgan:export --name RUN/);
  } finally {
    await server.shutdown();
    await halfServer.shutdown();
    await bare.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the generator's files are served read-only from its folder; other paths under it are refused", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "m");
  const generatorDir = join(root, "generators", "g");
  await exportGenerator({ runDir: await makeFixtureRun(root), outDir: generatorDir });
  const secret = "posterlab-secret-" + crypto.randomUUID();
  await Deno.writeTextFile(join(root, "generators", "secret.txt"), secret);
  const server = await startPageServer({ modelDir: join(root, "m"), generatorDir, port: 0 });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    for (const file of ["model.json", "weights.bin", "generator.json"]) {
      const response = await fetch(`${base}/generator/${file}`);
      assert.equal(response.status, 200, file);
      assert.deepEqual(
        new Uint8Array(await response.arrayBuffer()),
        await Deno.readFile(join(generatorDir, file)),
      );
    }
    for (const target of ["/generator/.complete", "/generator/", "/generator/%2e%2e/secret.txt"]) {
      const response = await fetch(`${base}${target}`);
      const body = await response.text();
      assert.ok(response.status === 403 || response.status === 404, `${target} → ${response.status}`);
      assert.ok(!body.includes(secret), target);
    }
    const put = await fetch(`${base}/generator/model.json`, { method: "PUT", body: "{}" });
    assert.equal(put.status, 405);
    await put.body?.cancel();
    assert.equal((await fetch(`${base}/generator/model.json`)).status, 200, "still there, unchanged");
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});
