/**
 * The one way this project fetches a URL: {@linkcode fetchBytes}, bounded in bytes and in time, so
 * memory stays bounded whatever a server does (an endless body, a gzip bomb, a trickle).
 *
 * ```ts
 * const url = "http://127.0.0.1:8000/0133093.jpg";
 * const bytes = await fetchBytes(url, { maxBytes: 20_000_000, timeoutMs: 30_000 });
 * ```
 *
 * @module
 */

/** Limits of {@linkcode fetchBytes}. */
export interface FetchLimits {
  /** Most bytes of the body, counted after decoding (`Content-Encoding: gzip` counts what it expands to). */
  maxBytes: number;
  /** Milliseconds for the whole fetch: connection, headers and every byte of the body. */
  timeoutMs: number;
  /** Cancels the fetch from outside (then the error's kind is `aborted`). */
  signal?: AbortSignal;
}

/** Why {@linkcode fetchBytes} failed: `http` (not 2xx), `too-large`, `timeout`, `network`, `aborted`. */
export type FetchErrorKind = "http" | "too-large" | "timeout" | "network" | "aborted";

/** A failed fetch; `message` is `<url>: <reason>`, `reason` says what went wrong without the URL. */
export class FetchError extends Error {
  override name = "FetchError";
  constructor(
    readonly url: string,
    readonly kind: FetchErrorKind,
    readonly reason: string,
    /** The HTTP status, for kind `http`. */
    readonly status?: number,
  ) {
    super(`${url}: ${reason}`);
  }
}

/** `20 MB`, `1.5 MB`, `300 kB`, `12 bytes` (decimal units, as the limits are given). */
export function formatBytes(bytes: number): string {
  const round = (value: number) => String(Math.round(value * 100) / 100);
  if (bytes >= 1e6) return `${round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${round(bytes / 1e3)} kB`;
  return `${bytes} bytes`;
}

/**
 * The body of `url`, at most `maxBytes` after decoding, all of it within `timeoutMs`. The body is read
 * as a stream and counted as it arrives; at the limit the stream is cancelled and the request aborted,
 * so no more than `maxBytes` (plus one chunk) is ever held. A `Content-Length` above the limit is
 * refused before any of the body is read. Throws a {@linkcode FetchError} naming the URL and the limit.
 */
export async function fetchBytes(url: string, limits: FetchLimits): Promise<Uint8Array> {
  const { maxBytes, timeoutMs } = limits;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  limits.signal?.addEventListener("abort", onAbort, { once: true });
  if (limits.signal?.aborted) controller.abort();
  const fail = (kind: FetchErrorKind, reason: string, status?: number) =>
    new FetchError(url, kind, reason, status);
  const tooLarge = () => fail("too-large", `more than the ${formatBytes(maxBytes)} limit`);
  // Rejects once the request is aborted, so no read waits past the timeout, whatever the stream does.
  const aborted = new Promise<never>((_, reject) => {
    const stop = () => reject(new DOMException("aborted", "AbortError"));
    if (controller.signal.aborted) stop();
    else controller.signal.addEventListener("abort", stop, { once: true });
  });
  aborted.catch(() => {});
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const response = await Promise.race([fetch(url, { signal: controller.signal }), aborted]);
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw fail("http", `HTTP ${response.status}`, response.status);
    }
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw fail(
        "too-large",
        `${formatBytes(declared)} declared, more than the ${formatBytes(maxBytes)} limit`,
      );
    }
    if (!response.body) return new Uint8Array(0);
    reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(value);
    }
    reader = undefined;
    if (chunks.length === 1) return chunks[0];
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return bytes;
  } catch (error) {
    if (error instanceof FetchError) throw error;
    if (timedOut) throw fail("timeout", `timeout after ${timeoutMs} ms`);
    if (controller.signal.aborted) throw fail("aborted", "aborted");
    throw fail("network", `network error: ${networkReason(error)}`);
  } finally {
    clearTimeout(timer);
    limits.signal?.removeEventListener("abort", onAbort);
    // On any failure: stop the body stream and the connection, so nothing more is read or buffered.
    reader?.cancel().catch(() => {});
    controller.abort();
  }
}

/** The most telling part of a fetch error: Deno puts the DNS or connect error in `cause`, after the URL. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return cause ? cause.replace(/^error sending request for url \([^)]*\): /, "") : error.message;
}
