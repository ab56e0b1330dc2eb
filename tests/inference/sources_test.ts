import assert from "node:assert/strict";
import { join } from "node:path";
import { expandSources, imdbIdOfSource, PosterSourceError, readSource } from "../../lib/inference/sources.ts";
import { hostileServer, MEMORY_SLACK, peakRssGrowth } from "../hostile_server.ts";

Deno.test("a folder becomes its image files, sorted; files and URLs are kept in order", async () => {
  const dir = await Deno.makeTempDir();
  for (const name of ["b.PNG", "a.jpg", "c.webp", "notes.txt", "d.jpeg"]) {
    await Deno.writeTextFile(join(dir, name), "x");
  }
  await Deno.mkdir(join(dir, "sub.jpg"));
  const sources = await expandSources(["first.jpg", dir, "http://127.0.0.1:1/x.png"]);
  assert.deepEqual(sources, [
    "first.jpg",
    join(dir, "a.jpg"),
    join(dir, "b.PNG"),
    join(dir, "c.webp"),
    join(dir, "d.jpeg"),
    "http://127.0.0.1:1/x.png",
  ]);
  const empty = await Deno.makeTempDir();
  await assert.rejects(
    expandSources([empty]),
    (e) => e instanceof PosterSourceError && e.message.includes(empty),
  );
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(empty);
});

Deno.test("an imdbId is read from names like 0133093.jpg, tt0133093.png and URLs ending in one", () => {
  assert.equal(imdbIdOfSource("posters/0133093.jpg"), 133093);
  assert.equal(imdbIdOfSource("tt0133093.PNG"), 133093);
  assert.equal(imdbIdOfSource("https://example.org/img/tt114709.webp?x=1"), 114709);
  assert.equal(imdbIdOfSource("matrix.jpg"), undefined);
  assert.equal(imdbIdOfSource("0133093_b.jpg"), undefined);
});

Deno.test("a missing file and a failing URL give errors naming them", async () => {
  await assert.rejects(
    readSource("/nonexistent/poster.jpg", { timeoutMs: 1000 }),
    /\/nonexistent\/poster\.jpg: no such file/,
  );
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("no", { status: 404 }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/missing.jpg`;
  await assert.rejects(
    readSource(url, { timeoutMs: 5000 }),
    (e) => e instanceof PosterSourceError && e.message.includes(url) && /HTTP 404/.test(e.message),
  );
  await server.shutdown();
});

Deno.test("a URL is refused past the size limit or the timeout, in one line naming it, the limit and the flag", async () => {
  const server = await hostileServer();
  const limits = { timeoutMs: 1000, maxBytes: 1_000_000 };
  /** The error line of `path` and the seconds it took; memory may not grow much meanwhile. */
  const refusal = async (path: string) => {
    const start = performance.now();
    const { result, growth } = await peakRssGrowth(() =>
      readSource(`${server.base}${path}`, limits).then(() => undefined, (error) => error)
    );
    assert.ok(result instanceof PosterSourceError, String(result));
    // Without a limit the endless body and the gzip bomb read 256 MB each.
    assert.ok(growth < MEMORY_SLACK, `${path}: resident memory grew by ${growth} bytes`);
    return { message: result.message, seconds: (performance.now() - start) / 1000 };
  };
  try {
    for (const path of ["/endless.jpg", "/bomb.jpg"]) {
      const { message, seconds } = await refusal(path);
      assert.equal(
        message,
        `${server.base}${path}: could not fetch the poster (more than the 1 MB limit; raise it with --max-poster-mb).`,
      );
      assert.ok(seconds < 2, `${path}: ${seconds} s`);
    }
    const trickle = await refusal("/trickle.jpg");
    assert.equal(
      trickle.message,
      `${server.base}/trickle.jpg: could not fetch the poster (timeout after 1000 ms; raise it with --timeout).`,
    );
    assert.ok(trickle.seconds < 3, `${trickle.seconds} s`);
    assert.deepEqual(await readSource(`${server.base}/ok.jpg`, limits), server.jpeg);
  } finally {
    await server.close();
  }
});
