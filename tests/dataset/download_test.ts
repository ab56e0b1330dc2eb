import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadPosters } from "../../lib/dataset/download.ts";
import type { Movie } from "../../lib/dataset/types.ts";
import { makeJpeg } from "../fixtures.ts";
import { hostileServer, MEMORY_SLACK, peakRssGrowth } from "../hostile_server.ts";

/** A local poster server on 127.0.0.1 (port 0: any free port) with one route per behaviour. */
async function posterServer() {
  const jpeg = await makeJpeg();
  const hits = new Map<string, number>();
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    (request) => {
      const path = new URL(request.url).pathname;
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      switch (path) {
        case "/ok.jpg":
          return new Response(jpeg);
        case "/flaky.jpg": // fails twice, then works
          return hit <= 2 ? new Response("busy", { status: 503 }) : new Response(jpeg);
        case "/html.jpg":
          return new Response("<html>not found</html>", { headers: { "content-type": "text/html" } });
        case "/slow.jpg": // headers at once, then the body trickles far past the timeout
          return new Response(
            new ReadableStream({
              async start(stream) {
                stream.enqueue(jpeg.subarray(0, 10));
                await new Promise((resolve) => setTimeout(resolve, 2000));
                stream.close();
              },
            }),
          );
        case "/hang.jpg": // no answer until after the timeout
          return new Promise((resolve) => setTimeout(() => resolve(new Response(jpeg)), 2000));
        default:
          return new Response("no such poster", { status: 404 });
      }
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  return {
    base,
    hits,
    close: async () => {
      controller.abort();
      await server.finished;
    },
  };
}

const movie = (imdbId: number, posterUrl?: string): Movie => ({
  imdbId,
  title: "",
  year: 2000,
  genres: ["Drama"],
  ...(posterUrl ? { posterUrl } : {}),
  imdbLink: "",
  line: imdbId + 1,
});

const OPTIONS = { timeoutMs: 300, retries: 2, backoffMs: 10, concurrency: 3, progress: false };

Deno.test("downloadPosters fetches, retries 5xx, gives up on 404, non-images, timeouts and slow bodies", async () => {
  const server = await posterServer();
  const dataDir = await Deno.makeTempDir();
  const movies = [
    movie(1, `${server.base}/ok.jpg`),
    movie(2, `${server.base}/flaky.jpg`),
    movie(3, `${server.base}/missing.jpg`),
    movie(4, `${server.base}/html.jpg`),
    movie(5, `${server.base}/slow.jpg`),
    movie(6, `${server.base}/hang.jpg`),
    movie(7),
  ];
  try {
    const result = await downloadPosters(dataDir, movies, () => false, OPTIONS);
    assert.equal(result.downloaded, 2);
    assert.equal(result.noUrl, 1);
    const failures = new Map(result.failed.map((f) => [f.imdbId, [f.reason, f.attempts]]));
    assert.deepEqual(failures.get(3), ["HTTP 404", 1]); // final at once
    assert.deepEqual(failures.get(4), ["not a JPEG, PNG or WebP", 1]);
    assert.deepEqual(failures.get(5), ["timeout after 300 ms", 3]); // retried twice
    assert.deepEqual(failures.get(6), ["timeout after 300 ms", 3]);
    assert.equal(server.hits.get("/flaky.jpg"), 3);

    const files = [...Deno.readDirSync(join(dataDir, "posters"))].map((e) => e.name).sort();
    assert.deepEqual(files, ["1.jpg", "2.jpg"], "only complete posters get a final name, no temp files left");
    assert.deepEqual(await Deno.readFile(join(dataDir, "posters", "2.jpg")), await makeJpeg());
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a second download run only fetches what is still missing", async () => {
  const server = await posterServer();
  const dataDir = await Deno.makeTempDir();
  const movies = [movie(1, `${server.base}/ok.jpg`), movie(3, `${server.base}/missing.jpg`)];
  try {
    await downloadPosters(dataDir, movies, () => false, OPTIONS);
    const files = new Set([...Deno.readDirSync(join(dataDir, "posters"))].map((e) => e.name));
    const exists = (id: number) => files.has(`${id}.jpg`);
    const second = await downloadPosters(dataDir, movies, exists, OPTIONS);
    assert.equal(second.alreadyPresent, 1);
    assert.equal(second.downloaded, 0);
    assert.equal(server.hits.get("/ok.jpg"), 1);
    assert.equal(server.hits.get("/missing.jpg"), 2);
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("downloads stop after too many network failures in a row and say why", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now: every request is refused
  const dataDir = await Deno.makeTempDir();
  const movies = Array.from(
    { length: 12 },
    (_, i) => movie(i + 1, `http://127.0.0.1:${closedPort}/${i}.jpg`),
  );
  const result = await downloadPosters(dataDir, movies, () => false, {
    ...OPTIONS,
    concurrency: 1,
    retries: 1,
    giveUpAfter: 3,
  });
  assert.equal(result.failed.length, 12);
  const tried = result.failed.filter((f) => f.attempts > 0);
  assert.equal(tried.length, 3);
  assert.ok(
    tried.every((f) => f.reason.startsWith("network error") && f.attempts === 2),
    JSON.stringify(tried),
  );
  assert.ok(
    result.failed.filter((f) => f.attempts === 0).every((f) =>
      /stopped after 3 network failures/.test(f.reason)
    ),
  );
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("downloads stop an endless body and a gzip bomb at the size limit and a trickle at the timeout", async () => {
  const server = await hostileServer();
  const dataDir = await Deno.makeTempDir();
  const limit = 1_000_000;
  const movies = [
    movie(1, `${server.base}/endless.jpg`),
    movie(2, `${server.base}/bomb.jpg`),
    movie(3, `${server.base}/trickle.jpg`),
    movie(4, `${server.base}/declared.jpg`),
    movie(5, `${server.base}/ok.jpg`),
  ];
  try {
    const start = performance.now();
    const { result, growth } = await peakRssGrowth(() =>
      downloadPosters(dataDir, movies, () => false, {
        ...OPTIONS,
        concurrency: 5,
        timeoutMs: 1000,
        maxBytes: limit,
      })
    );
    const seconds = (performance.now() - start) / 1000;
    const tooLarge = "more than the 1 MB limit; raise it with --max-poster-mb";
    const failures = new Map(result.failed.map((f) => [f.imdbId, [f.url, f.reason, f.attempts]]));
    assert.deepEqual(failures.get(1), [movies[0].posterUrl, tooLarge, 1], "final at once: not retried");
    assert.deepEqual(failures.get(2), [movies[1].posterUrl, tooLarge, 1]);
    assert.deepEqual(failures.get(3), [movies[2].posterUrl, "timeout after 1000 ms", 3]);
    assert.deepEqual(failures.get(4), [
      movies[3].posterUrl,
      "1000 MB declared, more than the 1 MB limit; raise it with --max-poster-mb",
      1,
    ]);
    assert.equal(result.downloaded, 1, "a normal poster still downloads");
    assert.deepEqual(await Deno.readFile(join(dataDir, "posters", "5.jpg")), server.jpeg);
    assert.deepEqual([...Deno.readDirSync(join(dataDir, "posters"))].map((e) => e.name), ["5.jpg"]);
    assert.ok(seconds < 6, `${seconds} s: 3 attempts of 1 s for the trickle, the rest at once`);
    // Without a limit the same run reads 256 MB and 64 MB; bounded, it holds about 1 MB per poster.
    assert.ok(growth < MEMORY_SLACK, `resident memory grew by ${growth} bytes`);
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
