/** `deno task data` (cli/data.ts) run as a subprocess on fixture folders. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeFixtureDataDir } from "../fixtures.ts";
import { hostileServer } from "../hostile_server.ts";

const CLI = new URL("../../cli/data.ts", import.meta.url).pathname;

async function runData(...args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("deno task data --from DIR --resize 30 imports, resizes and prints the summary", async () => {
  const { dataDir: source } = await makeFixtureDataDir({ movies: 20 });
  const dataDir = join(await Deno.makeTempDir(), "data");
  const { code, stdout, stderr } = await runData(
    "--from",
    source,
    "--resize",
    "30,20",
    "--data-dir",
    dataDir,
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /imported .*: 20 rows, 20 poster files; 20 copied, 0 already present/);
  assert.match(stdout, /resize 30% → 55x80 RGB PNG: 20 written, 0 up to date, 0 failed/);
  assert.match(stdout, /resize 20% → 36x54 RGB PNG: 20 written/);
  assert.match(stdout, /with poster file +20/);
  assert.match(stdout, /per split +train \d+, validation \d+, test \d+/);
  assert.equal([...Deno.readDirSync(join(dataDir, "images", "30"))].length, 20);

  const again = await runData("--resize", "30", "--data-dir", dataDir, "--min-year", "1997");
  assert.match(again.stdout, /resize 30% → 55x80 RGB PNG: 0 written, 12 up to date/);
  assert.match(again.stdout, /8 {2}outside 1997-2017/);
  await Deno.remove(source, { recursive: true });
  await Deno.remove(join(dataDir, ".."), { recursive: true });
});

Deno.test("deno task data reports bad input clearly and exits non-zero", async () => {
  const empty = await Deno.makeTempDir();
  const missing = await runData("--data-dir", empty);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /MovieGenre\.csv not found: import a dataset first/);

  const badRatio = await runData("--resize", "30,abc", "--data-dir", empty);
  assert.equal(badRatio.code, 2);
  assert.match(badRatio.stderr, /--resize abc: Invalid ratio/);

  const unknown = await runData("--size", "3");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown flag --size/);
  await Deno.remove(empty, { recursive: true });
});

Deno.test("deno task data --download records a poster past --max-poster-mb as failed and goes on", async () => {
  const server = await hostileServer();
  const endless = `${server.base}/endless.jpg`;
  const bomb = `${server.base}/bomb.jpg`;
  const { dataDir } = await makeFixtureDataDir({
    movies: [
      { imdbId: 1, posterUrl: endless, poster: "none" },
      { imdbId: 2, posterUrl: `${server.base}/ok.jpg`, poster: "none" },
      { imdbId: 3, posterUrl: bomb, poster: "none" },
    ],
  });
  try {
    const start = performance.now();
    const { code, stdout, stderr } = await runData(
      "--download",
      "--max-poster-mb",
      "1",
      "--data-dir",
      dataDir,
    );
    const seconds = (performance.now() - start) / 1000;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /download: 1 fetched, 0 already present, 0 without URL, 2 failed/);
    assert.match(stdout, /2 × more than the 1 MB limit; raise it with --max-poster-mb\n/);
    assert.ok(stdout.includes(`      1 ${endless}\n`), stdout);
    assert.ok(stdout.includes(`      3 ${bomb}\n`), stdout);
    assert.deepEqual([...Deno.readDirSync(join(dataDir, "posters"))].map((e) => e.name), ["2.jpg"]);
    assert.ok(seconds < 20, `${seconds} s`);

    const bad = await runData("--download", "--max-poster-mb", "0", "--data-dir", dataDir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-poster-mb needs a positive number of megabytes, got 0/);
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
