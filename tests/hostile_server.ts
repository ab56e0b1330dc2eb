/**
 * A local poster server (127.0.0.1, port 0) that misbehaves, for the size and time limits of every fetch
 * (lib/util/fetch.ts):
 *
 * - `/endless.jpg`: a JPEG's first bytes, then zeros without end (it stops at 256 MB only so that a
 *   client without a limit can't take the test machine's memory);
 * - `/bomb.jpg`: a small gzip body (`Content-Encoding: gzip`, about 250 kB sent) that expands to 256 MB;
 * - `/trickle.jpg`: a JPEG's first bytes, then one byte a second without end;
 * - `/declared.jpg`: headers declaring `Content-Length: 1000000000`, then a trickle;
 * - `/ok.jpg`: a normal poster.
 *
 * ```ts
 * const server = await hostileServer();
 * const response = await fetch(`${server.base}/endless.jpg`); // zeros without end
await response.body?.cancel();
 * await server.close();
 * ```
 *
 * @module
 */
import { makeJpeg } from "./fixtures.ts";

const JPEG_START = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
const CHUNK = 64 * 1024;
const ENDLESS_CAP = 256 * 1024 * 1024;
const BOMB_SIZE = 256 * 1024 * 1024;

/** The gzip of a JPEG's first bytes and then zeros, `size` bytes once decoded; built chunk by chunk. */
async function gzipBomb(size: number): Promise<Uint8Array<ArrayBuffer>> {
  let left = size;
  const zeros = new Uint8Array(CHUNK);
  const plain = new ReadableStream<BufferSource>({
    pull(stream) {
      if (left <= 0) return stream.close();
      const chunk = left === size ? Uint8Array.from(zeros, (_, i) => JPEG_START[i] ?? 0) : zeros;
      stream.enqueue(chunk.subarray(0, Math.min(CHUNK, left)));
      left -= CHUNK;
    },
  });
  return new Uint8Array(await new Response(plain.pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

/** A stream of `first`, then what `next` gives each pull, until it gives undefined or the client cancels. */
function endlessStream(
  first: Uint8Array,
  next: () => Promise<Uint8Array | undefined>,
): ReadableStream<Uint8Array> {
  let sentFirst = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(stream) {
        if (!sentFirst) {
          sentFirst = true;
          stream.enqueue(first);
          return;
        }
        const chunk = await next();
        if (chunk) stream.enqueue(chunk);
        else stream.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Starts the server; `close` stops it and every stream it is still sending. */
export async function hostileServer() {
  const jpeg = await makeJpeg();
  const bomb = await gzipBomb(BOMB_SIZE);
  const hits = new Map<string, number>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const controller = new AbortController();
  /** Resolves after `ms`, or at once when the server closes. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const id = setTimeout(() => {
        timers.delete(id);
        resolve();
      }, ms);
      timers.add(id);
      controller.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  const trickle = () =>
    endlessStream(JPEG_START, async () => {
      await sleep(1000);
      return controller.signal.aborted ? undefined : new Uint8Array([0]);
    });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen: () => {} },
    (request) => {
      const path = new URL(request.url).pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      switch (path) {
        case "/ok.jpg":
          return new Response(jpeg, { headers: { "content-type": "image/jpeg" } });
        case "/endless.jpg": {
          let sent = 0;
          const zeros = new Uint8Array(CHUNK);
          const body = endlessStream(JPEG_START, () => {
            sent += CHUNK;
            return Promise.resolve(sent > ENDLESS_CAP || controller.signal.aborted ? undefined : zeros);
          });
          return new Response(body, { headers: { "content-type": "image/jpeg" } });
        }
        case "/bomb.jpg":
          return new Response(bomb, {
            headers: { "content-type": "image/jpeg", "content-encoding": "gzip" },
          });
        case "/trickle.jpg":
          return new Response(trickle(), { headers: { "content-type": "image/jpeg" } });
        case "/declared.jpg":
          return new Response(trickle(), {
            headers: { "content-type": "image/jpeg", "content-length": "1000000000" },
          });
        default:
          return new Response("no such poster", { status: 404 });
      }
    },
  );
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    /** Requests per path. */
    hits,
    /** The poster `/ok.jpg` sends. */
    jpeg,
    close: async () => {
      controller.abort();
      for (const id of timers) clearTimeout(id);
      await server.finished;
    },
  };
}

/**
 * Runs `work` while sampling the process's resident memory every 5 ms; the result and the most the
 * resident memory grew above where it started, in bytes.
 */
/**
 * How much a bounded read may grow the resident memory: RSS moves by tens of MB between samples as the
 * allocator and the garbage collector work (18 MB seen under load for a 1 MB limit), while an unbounded
 * read of `/endless.jpg` or `/bomb.jpg` holds their 256 MB.
 */
export const MEMORY_SLACK = 64 * 1024 * 1024;

export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = Deno.memoryUsage().rss;
  let peak = start;
  const id = setInterval(() => (peak = Math.max(peak, Deno.memoryUsage().rss)), 5);
  try {
    const result = await work();
    peak = Math.max(peak, Deno.memoryUsage().rss);
    return { result, growth: peak - start };
  } finally {
    clearInterval(id);
  }
}
