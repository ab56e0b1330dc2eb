import assert from "node:assert/strict";
import { fetchBytes, FetchError, formatBytes } from "../../lib/util/fetch.ts";
import { hostileServer, MEMORY_SLACK, peakRssGrowth } from "../hostile_server.ts";

const LIMIT = 1_000_000;

/** The FetchError `promise` rejects with, and the seconds it took. */
async function refusal(promise: Promise<unknown>): Promise<{ error: FetchError; seconds: number }> {
  const start = performance.now();
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FetchError, String(error));
    return { error, seconds: (performance.now() - start) / 1000 };
  }
  throw new Error("expected a refusal");
}

Deno.test("fetchBytes stops an endless body and a gzip bomb at the decoded limit, memory bounded", async () => {
  const server = await hostileServer();
  try {
    for (const path of ["/endless.jpg", "/bomb.jpg"]) {
      const url = `${server.base}${path}`;
      const { result: { error, seconds }, growth } = await peakRssGrowth(() =>
        refusal(fetchBytes(url, { maxBytes: LIMIT, timeoutMs: 10_000 }))
      );
      assert.equal(error.kind, "too-large");
      assert.equal(error.message, `${url}: more than the 1 MB limit`);
      assert.ok(seconds < 5, `${path}: ${seconds} s`);
      // Unbounded, these reads take 256 MB each; bounded, the limit plus the allocator's noise.
      assert.ok(growth < MEMORY_SLACK, `${path}: resident memory grew by ${growth} bytes`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("fetchBytes refuses a Content-Length above the limit before reading the body", async () => {
  const server = await hostileServer();
  try {
    const url = `${server.base}/declared.jpg`;
    const { error, seconds } = await refusal(fetchBytes(url, { maxBytes: LIMIT, timeoutMs: 10_000 }));
    assert.equal(error.kind, "too-large");
    assert.equal(error.message, `${url}: 1000 MB declared, more than the 1 MB limit`);
    assert.ok(seconds < 1, `${seconds} s: the trickling body was read`);
  } finally {
    await server.close();
  }
});

Deno.test("fetchBytes times out a body that trickles, and stops when the caller aborts", async () => {
  const server = await hostileServer();
  try {
    const url = `${server.base}/trickle.jpg`;
    const timedOut = await refusal(fetchBytes(url, { maxBytes: LIMIT, timeoutMs: 1500 }));
    assert.equal(timedOut.error.kind, "timeout");
    assert.equal(timedOut.error.message, `${url}: timeout after 1500 ms`);
    assert.ok(timedOut.seconds >= 1.4 && timedOut.seconds < 3, `${timedOut.seconds} s`);

    const caller = new AbortController();
    setTimeout(() => caller.abort(), 200);
    const aborted = await refusal(
      fetchBytes(url, { maxBytes: LIMIT, timeoutMs: 10_000, signal: caller.signal }),
    );
    assert.equal(aborted.error.kind, "aborted");
    assert.ok(aborted.seconds < 1, `${aborted.seconds} s`);
  } finally {
    await server.close();
  }
});

Deno.test("fetchBytes returns a normal body whole, and says HTTP errors and closed ports", async () => {
  const server = await hostileServer();
  try {
    const bytes = await fetchBytes(`${server.base}/ok.jpg`, { maxBytes: LIMIT, timeoutMs: 5000 });
    assert.deepEqual(bytes, server.jpeg);
    const exact = await fetchBytes(`${server.base}/ok.jpg`, { maxBytes: bytes.length, timeoutMs: 5000 });
    assert.equal(exact.length, bytes.length, "a body of exactly the limit is allowed");
    const missing = await refusal(
      fetchBytes(`${server.base}/missing.jpg`, { maxBytes: LIMIT, timeoutMs: 5000 }),
    );
    assert.equal(missing.error.kind, "http");
    assert.equal(missing.error.status, 404);
  } finally {
    await server.close();
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/x.jpg`;
  listener.close();
  const refused = await refusal(fetchBytes(closed, { maxBytes: LIMIT, timeoutMs: 5000 }));
  assert.equal(refused.error.kind, "network");
  assert.match(refused.error.message, /network error/);
});

Deno.test("formatBytes writes decimal units", () => {
  assert.equal(formatBytes(20_000_000), "20 MB");
  assert.equal(formatBytes(1_500_000), "1.5 MB");
  assert.equal(formatBytes(300_000), "300 kB");
  assert.equal(formatBytes(12), "12 bytes");
});
