/** `deno task predict` (cli/predict.ts) run as a subprocess on fixture posters, a folder, URLs and bad files. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { join } from "node:path";
import { decodeRgb } from "../../lib/images/resize.ts";
import { loadGenreModel } from "../../lib/models/saved.ts";
import { corruptJpeg, fixtureMovies, makeFixtureDataDir, makeJpeg } from "../fixtures.ts";
import { damageFixtureModel, saveFixtureModel } from "./model_fixture.ts";

await tf.setBackend("cpu");
const CLI = new URL("../../cli/predict.ts", import.meta.url).pathname;

async function runPredict(...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    // The models shipped in the repository are left out unless a test names a shipped folder.
    args: [
      "run",
      "-A",
      CLI,
      "--backend",
      "cpu",
      ...(args.includes("--shipped-dir") ? [] : ["--shipped-dir", "/nonexistent-shipped-models"]),
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("predict: files, a folder, URLs from a local server, a corrupt file; lines, --json and --explain", async () => {
  const movies = fixtureMovies(12);
  const { dataDir } = await makeFixtureDataDir({ movies });
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "weak", { dataDir, validationMaps: [0.2] });
  await saveFixtureModel(root, "best", { dataDir, validationMaps: [0.4], seed: 7, heads: true });
  const userDir = await Deno.makeTempDir();
  const folder = join(userDir, "folder");
  await Deno.mkdir(folder);
  // tt1001 is film 0 of the fixture data (its genres are known); the others are unknown posters.
  await Deno.copyFile(join(dataDir, "posters", "1001.jpg"), join(folder, "tt1001.jpg"));
  await Deno.writeFile(
    join(folder, "big.png"),
    await makeJpeg({ width: 300, height: 450, color: [200, 40, 40], kind: "png" }),
  );
  const webp = await sharp(await makeJpeg({ width: 120, height: 160 })).webp().toBuffer();
  await Deno.writeFile(join(folder, "small.webp"), new Uint8Array(webp));
  const corrupt = join(userDir, "corrupt.jpg");
  await Deno.writeFile(corrupt, corruptJpeg());
  const urlPoster = await makeJpeg({ color: [30, 30, 200] });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) =>
      new URL(request.url).pathname === "/posters/0001002.jpg"
        ? new Response(urlPoster, { headers: { "content-type": "image/jpeg" } })
        : new Response("not found", { status: 404 }),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const args = [folder, corrupt, `${base}/posters/0001002.jpg`, `${base}/gone.jpg`, "--models-dir", root];
    const lines = await runPredict(...args);
    assert.equal(lines.code, 1, "non-zero exit when any poster failed");
    assert.match(lines.stderr, /model: best \(best validation mAP 0\.400 of 2 saved models/);
    assert.match(lines.stderr, new RegExp(`error: ${corrupt} is not a readable image`));
    assert.match(
      lines.stderr,
      new RegExp(`error: ${base}/gone.jpg: could not fetch the poster \\(HTTP 404\\)`),
    );
    assert.match(lines.stderr, /2 of 6 posters failed/);
    const out = lines.stdout.trim().split("\n");
    assert.deepEqual(out.map((l) => l.split(/ {2,}|\s\[/)[0]), [
      "big.png",
      "small.webp",
      "Movie 0 (1995)",
      "Movie 1 (1996)",
    ]);
    // [!] exactly on the predicted genres the dataset's film lacks.
    for (const [line, movie] of [[out[2], movies[0]], [out[3], movies[1]]] as const) {
      const ranked = [...line.matchAll(/'([\w-]+)(\[!\])?: \d+%'/g)];
      assert.equal(ranked.length, 3);
      for (const [, genre, mark] of ranked) {
        assert.equal(mark !== undefined, !movie.genres!.includes(genre), line);
      }
    }
    assert.doesNotMatch(out[0], /\[!\]/, "an unknown poster has no marks");
    for (const line of out) {
      assert.match(line, /%'\] {2}year ≈ \d{4}, rating ≈ \d+\.\d$/, "the best model has heads");
    }

    const explainDir = join(userDir, "cams");
    const json = await runPredict(
      ...args,
      "--json",
      "--top",
      "2",
      "--explain",
      explainDir,
      "--model",
      "weak",
    );
    assert.equal(json.code, 1);
    const records = JSON.parse(json.stdout);
    assert.equal(records.length, 6);
    assert.deepEqual(records.map((r: { source: string }) => r.source), [
      join(folder, "big.png"),
      join(folder, "small.webp"),
      join(folder, "tt1001.jpg"),
      corrupt,
      `${base}/posters/0001002.jpg`,
      `${base}/gone.jpg`,
    ]);
    assert.match(records[3].error, /corrupt\.jpg is not a readable image/);
    assert.equal(records[2].title, "Movie 0 (1995)");
    assert.equal(records[0].year, undefined, "no year head, no year");
    const withHeads = JSON.parse(
      (await runPredict(join(folder, "big.png"), "--json", "--models-dir", root)).stdout,
    );
    const best = await loadGenreModel("best", root);
    const bigPixels = await decodeRgb(join(folder, "big.png"), best.metadata.imageSize);
    const [, year, rating] = tf.tidy(() =>
      (best.model.predict(
        tf.tensor4d(bigPixels, [1, best.metadata.imageSize.height, best.metadata.imageSize.width, 3], "int32")
          .toFloat().div(255),
      ) as tf.Tensor[]).map((t) => t.dataSync()[0])
    );
    best.model.dispose();
    assert.ok(Math.abs(withHeads[0].year - (2000 + 10 * year)) < 0.1, `year ${withHeads[0].year}`);
    assert.ok(Math.abs(withHeads[0].rating - (6.5 + rating)) < 0.01, `rating ${withHeads[0].rating}`);
    // Resized exactly as training images: the same probabilities as the model on decodeRgb's pixels.
    const { model, metadata } = await loadGenreModel("weak", root);
    const pixels = await decodeRgb(join(folder, "big.png"), metadata.imageSize);
    const { width, height } = metadata.imageSize;
    const expected = tf.tidy(() =>
      (model.predict(tf.tensor4d(pixels, [1, height, width, 3], "int32").toFloat().div(255)) as tf.Tensor)
        .dataSync()
    );
    metadata.genres.forEach((genre, j) =>
      assert.ok(Math.abs(records[0].genres[genre] - expected[j]) < 1e-3, genre)
    );
    model.dispose();
    // Two overlays per good poster, at the poster's own size.
    assert.equal([...Deno.readDirSync(explainDir)].length, 8);
    assert.equal(records[0].overlays.length, 2);
    const info = await sharp(records[0].overlays[0]).metadata();
    assert.deepEqual([info.width, info.height, info.format], [300, 450, "png"]);
    assert.match(records[0].overlays[0], /big_[\w-]+\.png$/);
  } finally {
    await server.shutdown();
    await Deno.remove(userDir, { recursive: true });
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("predict without posters, or with a bad --top, is a usage error", async () => {
  const none = await runPredict();
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Give one or more posters/);
  const top = await runPredict("x.jpg", "--top", "0");
  assert.equal(top.code, 2);
  assert.match(top.stderr, /--top needs a positive whole number/);
});

Deno.test("predict: a damaged model is refused by name, skipped by default; NaN outputs are an error, never NaN%", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "healthy", { validationMaps: [0.3] });
  await saveFixtureModel(root, "diverged", { validationMaps: [0.9] });
  await saveFixtureModel(root, "cut", { validationMaps: [0.8] });
  await saveFixtureModel(root, "huge", { validationMaps: [0.2] });
  await damageFixtureModel(join(root, "diverged"), "nan");
  await damageFixtureModel(join(root, "cut"), "truncate");
  await damageFixtureModel(join(root, "huge"), "huge");
  const poster = join(root, "poster.jpg");
  await Deno.writeFile(poster, await makeJpeg({ color: [200, 40, 40] }));
  try {
    const chosen = await runPredict(poster, "--models-dir", root);
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.match(
      chosen.stderr,
      /skipped damaged model diverged: weights\.bin holds 1 NaN or infinite weight/,
    );
    assert.match(
      chosen.stderr,
      /skipped damaged model cut: weights\.bin holds \d+ bytes where model\.json needs/,
    );
    assert.match(chosen.stderr, /model: healthy \(best validation mAP 0\.300 of 2 saved models/);
    assert.match(chosen.stdout, /^poster\.jpg +\['\w+: \d+%'/);

    const named = await runPredict(poster, "--models-dir", root, "--model", "diverged");
    assert.equal(named.code, 1);
    assert.match(
      named.stderr,
      new RegExp(`error: Saved model ${join(root, "diverged")} is unusable: .*weights\\.bin holds 1 NaN`),
    );
    assert.equal(named.stdout, "");

    // Finite weights whose outputs overflow: the poster fails, in lines and in --json (no null).
    const lines = await runPredict(poster, "--models-dir", root, "--model", "huge");
    assert.equal(lines.code, 1);
    assert.doesNotMatch(lines.stdout, /NaN/);
    assert.match(lines.stderr, /error: .*poster\.jpg: model .*huge gives NaN or infinite outputs/);
    const json = await runPredict(poster, "--models-dir", root, "--model", "huge", "--json");
    assert.equal(json.code, 1);
    assert.doesNotMatch(json.stdout, /null/);
    const [record] = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(record), ["source", "error"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("predict answers with a shipped model when no saved one is better on validation, and says so", async () => {
  const root = await Deno.makeTempDir();
  try {
    const { dataDir } = await makeFixtureDataDir({ movies: 30, dir: join(root, "data") });
    const poster = join(dataDir, "posters", "1002.jpg");
    const shipped = join(root, "shipped");
    const mine = join(root, "mine");
    await saveFixtureModel(shipped, "recommended", { validationMaps: [0.5] });
    await Deno.mkdir(mine);
    const fresh = await runPredict(poster, "--models-dir", mine, "--shipped-dir", shipped);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.match(fresh.stderr, /model: recommended \[shipped with posterlab\] \(validation mAP 0\.500\)/);
    await saveFixtureModel(mine, "weaker", { validationMaps: [0.4] });
    const still = await runPredict(poster, "--models-dir", mine, "--shipped-dir", shipped);
    assert.match(
      still.stderr,
      /model: recommended \[shipped with posterlab\] \(best validation mAP 0\.500 of 2/,
    );
    await saveFixtureModel(mine, "better", { validationMaps: [0.6] });
    const better = await runPredict(poster, "--models-dir", mine, "--shipped-dir", shipped);
    assert.match(better.stderr, /model: better \(best validation mAP 0\.600 of 3/);
    const named = await runPredict(
      poster,
      "--models-dir",
      mine,
      "--shipped-dir",
      shipped,
      "--model",
      "recommended",
    );
    assert.equal(named.code, 0, named.stderr);
    assert.match(named.stderr, /model: recommended \[shipped with posterlab\]/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
