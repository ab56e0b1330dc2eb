/**
 * The local server of `deno task serve`: the page's own files, TensorFlow.js's browser bundle, the
 * chosen saved model and (when there is one) the exported poster generator as static files, and nothing
 * else.
 *
 * It answers a fixed list of paths; any other request is refused: 403 for a path that tries to leave
 * (`..`, its encodings `%2e%2e`, encoded slashes or backslashes, `//` or a drive letter), 404 for the
 * rest, 405 for methods other than GET and HEAD. Files are opened at each request, so a model retrained
 * under the same name is served fresh, and streamed in 64 KiB pieces with their size as Content-Length
 * (HEAD gets the same headers and no body).
 *
 * It is a small HTTP/1.1 server on {@linkcode Deno.listen} rather than `Deno.serve`, which has no way to
 * bound connections: here at most {@linkcode PageServerOptions.maxConnections} are served at once (the
 * ones beyond get 503), and a connection is closed when its request header has not all arrived within
 * {@linkcode PageServerOptions.timeoutMs}, when it sits that long between requests, or when it takes none
 * of a response for that long. Memory is so bounded by the connection cap, not by what clients do.
 *
 * ```ts
 * const server = await startPageServer({ modelDir: "saved_models/genres7_ratio30_v1_e2_1977-2017_bce" });
 * console.log(`http://127.0.0.1:${server.addr.port}/`);
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { PREDICT_DEFAULTS } from "../config.ts";
import { CHOOSER_FOLDER, GENERATOR_RECORD } from "../gan/generator_record.ts";
import { bundlePageScript } from "./bundle.ts";
import { extractorFiles, FEATURE_HEAD_DIR } from "../models/feature_branch.ts";
import { readMetadata } from "../models/saved.ts";
import { pathExists } from "../util/files.ts";

const PAGE_DIR = new URL("./page/", import.meta.url).pathname;
const TFJS_BUNDLE = new URL("../../node_modules/@tensorflow/tfjs/dist/tf.min.js", import.meta.url).pathname;

/** Default of {@linkcode PageServerOptions.timeoutMs}. */
export const SERVE_TIMEOUT_MS = 30_000;
/** Default of {@linkcode PageServerOptions.maxConnections}. */
export const SERVE_MAX_CONNECTIONS = 128;
/** The longest request header accepted (bytes); a longer one gets 431. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Bytes read from a file and written to a client at a time. */
const PIECE_BYTES = 64 * 1024;

/** What one served path is. */
type Served = { file: string; type: string } | { bytes: Uint8Array; type: string };

/** Options of {@linkcode startPageServer}. */
export interface PageServerOptions {
  /**
   * The saved model's folder (model.json, weights.bin, metadata.json, and `feature_head/` for a model
   * with a pretrained branch, whose frozen network is then served from memory).
   */
  modelDir: string;
  /**
   * An exported generator's folder (model.json, weights.bin, generator.json; lib/gan/shipped.ts),
   * served under /generator/; without one those paths are 404 and the page says how to get one.
   */
  generatorDir?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: only this machine). */
  hostname?: string;
  /** Called once listening. */
  onListen?: (addr: Deno.NetAddr) => void;
  /**
   * Milliseconds a connection may take to send a whole request header, wait between requests, or go
   * without taking any of a response, before it is closed (default {@linkcode SERVE_TIMEOUT_MS}).
   */
  timeoutMs?: number;
  /** Connections served at once (default {@linkcode SERVE_MAX_CONNECTIONS}); more get 503 and are closed. */
  maxConnections?: number;
}

/** A running {@linkcode startPageServer}. */
export interface PageServer {
  /** Where it listens (the actual port when 0 was asked for). */
  addr: Deno.NetAddr;
  /** Settles once the server has stopped and its connections are closed. */
  finished: Promise<void>;
  /** Stops listening and closes every connection. */
  shutdown(): Promise<void>;
}

/** The server could not listen; the message names the `--port` or `--host` flag at fault. */
export class ListenError extends Error {
  override name = "ListenError";
}

/** Whether a request path tries to reach outside the served list: `..`, encoded dots or slashes, `//`, `C:`. */
export function isTraversal(rawPath: string): boolean {
  let decoded = rawPath;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return true; // malformed escapes
  }
  return /%2e|%2f|%5c/i.test(rawPath) || decoded.includes("..") || decoded.includes("\\") ||
    decoded.startsWith("//") || /^\/?[a-z]:/i.test(decoded) || decoded.includes("\0");
}

/**
 * The path part of a request target as the client sent it (origin form `/a?b` or absolute form
 * `http://host/a`), or undefined for a target of neither form.
 */
function rawPathOf(target: string): string | undefined {
  const path = target.startsWith("/") ? target : /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(target)?.[1];
  if (path === undefined) return undefined;
  return path.split(/[?#]/)[0] || "/";
}

/** The message of a failed {@linkcode Deno.listen}, naming the flag to change. */
function listenError(error: unknown, hostname: string, port: number): ListenError {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof Deno.errors.AddrInUse) {
    return new ListenError(
      `port ${port} is already in use (--port): ${detail}. Stop what holds it, or pick another port ` +
        `(--port 0: any free one).`,
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new ListenError(`cannot listen on port ${port} (--port): ${detail}. Ports below 1024 need root.`);
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return new ListenError(
      `cannot listen on ${hostname} (--host): ${detail}: not an address of this machine.`,
    );
  }
  if (/lookup address|resolve|name or service/i.test(detail)) {
    return new ListenError(`cannot resolve host ${hostname} (--host): ${detail}.`);
  }
  return new ListenError(`cannot listen on ${hostname} port ${port} (--host, --port): ${detail}.`);
}

/** One request's header, as much of it as the server needs. */
interface RequestHead {
  method: string;
  target: string;
  /** Whether the client wants the connection kept for another request. */
  keepAlive: boolean;
  /** Whether it announced a body (which no route takes). */
  hasBody: boolean;
}

/** Parses a header block (request line and fields, without the blank line); undefined when malformed. */
function parseHead(text: string): RequestHead | undefined {
  const [requestLine, ...fields] = text.split("\r\n");
  const parts = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(requestLine);
  if (!parts) return undefined;
  const headers = new Map<string, string>();
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon <= 0) return undefined;
    headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim().toLowerCase());
  }
  const connection = headers.get("connection") ?? "";
  const length = headers.get("content-length");
  return {
    method: parts[1],
    target: parts[2],
    keepAlive: parts[3] === "1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection),
    hasBody: headers.has("transfer-encoding") || (length !== undefined && length !== "0"),
  };
}

const encoder = new TextEncoder();

/** Starts the server; the page's script is bundled first. */
export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const timeoutMs = options.timeoutMs ?? SERVE_TIMEOUT_MS;
  const maxConnections = options.maxConnections ?? SERVE_MAX_CONNECTIONS;
  const routes = new Map<string, Served>([
    ["/", { file: join(PAGE_DIR, "index.html"), type: "text/html; charset=utf-8" }],
    ["/index.html", { file: join(PAGE_DIR, "index.html"), type: "text/html; charset=utf-8" }],
    ["/style.css", { file: join(PAGE_DIR, "style.css"), type: "text/css; charset=utf-8" }],
    ["/app.js", { bytes: encoder.encode(await bundlePageScript()), type: "text/javascript; charset=utf-8" }],
    ["/tf.min.js", { file: TFJS_BUNDLE, type: "text/javascript; charset=utf-8" }],
    ["/model/model.json", { file: join(options.modelDir, "model.json"), type: "application/json" }],
    ["/model/weights.bin", { file: join(options.modelDir, "weights.bin"), type: "application/octet-stream" }],
    ["/model/metadata.json", { file: join(options.modelDir, "metadata.json"), type: "application/json" }],
  ]);
  const headDir = join(options.modelDir, FEATURE_HEAD_DIR);
  if (await pathExists(join(headDir, "model.json"))) {
    // A model with a pretrained branch: its head from the folder, the frozen network built here
    // from the npm package at the size metadata.json names.
    const metadata = await readMetadata(options.modelDir);
    if (metadata.blend) {
      const { modelJson, weights } = await extractorFiles(
        metadata.blend.imageSize,
        metadata.blend.config.network,
      );
      routes.set("/model/feature_head/model.json", {
        file: join(headDir, "model.json"),
        type: "application/json",
      });
      routes.set("/model/feature_head/weights.bin", {
        file: join(headDir, "weights.bin"),
        type: "application/octet-stream",
      });
      routes.set("/model/feature_extractor/model.json", { bytes: modelJson, type: "application/json" });
      routes.set("/model/feature_extractor/weights.bin", {
        bytes: weights,
        type: "application/octet-stream",
      });
    }
  }
  if (options.generatorDir) {
    const dir = options.generatorDir;
    routes.set("/generator/model.json", { file: join(dir, "model.json"), type: "application/json" });
    routes.set("/generator/weights.bin", {
      file: join(dir, "weights.bin"),
      type: "application/octet-stream",
    });
    routes.set("/generator/generator.json", { file: join(dir, GENERATOR_RECORD), type: "application/json" });
    // The classifier that picks among candidates, when the export has one (generator_record.ts).
    routes.set(`/generator/${CHOOSER_FOLDER}/model.json`, {
      file: join(dir, CHOOSER_FOLDER, "model.json"),
      type: "application/json",
    });
    routes.set(`/generator/${CHOOSER_FOLDER}/weights.bin`, {
      file: join(dir, CHOOSER_FOLDER, "weights.bin"),
      type: "application/octet-stream",
    });
  }
  const hostname = options.hostname ?? PREDICT_DEFAULTS.host;
  const port = options.port ?? PREDICT_DEFAULTS.port;
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname, port });
  } catch (error) {
    throw listenError(error, hostname, port);
  }
  const addr = listener.addr;
  const open = new Set<Connection>();
  let stopping = false;

  const acceptLoop = async () => {
    while (!stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping || error instanceof Deno.errors.BadResource) break;
        await new Promise((resolve) => setTimeout(resolve, 100)); // e.g. out of file descriptors
        continue;
      }
      const connection = new Connection(conn, timeoutMs);
      if (open.size >= maxConnections) {
        connection.refuse(); // not counted: it writes one short answer and closes
        continue;
      }
      open.add(connection);
      connection.serve(routes).finally(() => open.delete(connection));
    }
  };
  const accepting = acceptLoop();
  const finished = (async () => {
    await accepting;
    while (open.size) await Promise.allSettled([...open].map((c) => c.done));
  })();
  options.onListen?.(addr);
  return {
    addr,
    finished,
    async shutdown() {
      stopping = true;
      try {
        listener.close();
      } catch { /* already closed */ }
      for (const connection of open) connection.close();
      await finished;
    },
  };
}

/** One client connection: requests read and answered in turn, under a watchdog that closes it when stuck. */
class Connection {
  done: Promise<void> = Promise.resolve();
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #buffered = new Uint8Array(0);

  constructor(private readonly conn: Deno.TcpConn, private readonly timeoutMs: number) {
    try {
      conn.setNoDelay(true);
    } catch { /* not essential */ }
  }

  close(): void {
    this.#disarm();
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch { /* already closed by the peer */ }
  }

  /** Answers 503 to a connection over the cap, without reading its request. */
  refuse(): void {
    this.done = (async () => {
      try {
        await this.#respond(503, "Too many connections; try again.\n", false, "GET");
        await this.#linger();
      } catch { /* it went away */ }
      this.close();
    })();
  }

  serve(routes: Map<string, Served>): Promise<void> {
    this.done = (async () => {
      try {
        while (!this.#closed) {
          this.#arm(); // the whole header must come within the timeout, also between requests
          const head = await this.#readHead();
          this.#disarm();
          if (head === undefined) break;
          if (head === "too long") {
            await this.#respond(431, "Request header too long.\n", false, "GET");
            break;
          }
          const request = parseHead(head);
          if (!request) {
            await this.#respond(400, "Bad request.\n", false, "GET");
            break;
          }
          const keepAlive = request.keepAlive && !request.hasBody;
          await this.#answer(request, routes, keepAlive);
          if (!keepAlive) break;
        }
        await this.#linger();
      } catch {
        // The client went away, or the watchdog closed the connection: nothing to answer to.
      } finally {
        this.close();
      }
    })();
    return this.done;
  }

  async #answer(request: RequestHead, routes: Map<string, Served>, keepAlive: boolean): Promise<void> {
    const { method } = request;
    if (method !== "GET" && method !== "HEAD") {
      return await this.#respond(405, "Only GET and HEAD.\n", keepAlive, method, { allow: "GET, HEAD" });
    }
    if (request.hasBody) return await this.#respond(400, "A GET or HEAD takes no body.\n", false, method);
    const rawPath = rawPathOf(request.target);
    if (rawPath === undefined) return await this.#respond(400, "Bad request target.\n", false, method);
    if (isTraversal(rawPath)) {
      return await this.#respond(403, "Refused: outside what this server serves.\n", keepAlive, method);
    }
    let pathname: string;
    try {
      pathname = new URL(rawPath, "http://localhost").pathname;
    } catch {
      return await this.#respond(400, "Bad request target.\n", false, method);
    }
    const served = routes.get(pathname);
    if (!served) return await this.#respond(404, "Not found.\n", keepAlive, method);
    if ("bytes" in served) {
      return await this.#respond(200, served.bytes, keepAlive, method, { "content-type": served.type });
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(served.file);
    } catch {
      return await this.#respond(500, `Missing on the server: ${served.file}\n`, keepAlive, method);
    }
    try {
      const size = (await file.stat()).size;
      await this.#writeAll(encoder.encode(
        statusLine(200) + fields({ "content-type": served.type, "content-length": String(size) }, keepAlive),
      ));
      if (method === "HEAD") return;
      const piece = new Uint8Array(Math.min(PIECE_BYTES, Math.max(size, 1)));
      for (let sent = 0; sent < size;) {
        const n = await file.read(piece.subarray(0, Math.min(piece.length, size - sent)));
        // A file cut short while being sent: the promised length can't be kept, so the connection ends.
        if (n === null) throw new Error(`${served.file} ended early`);
        await this.#writeAll(piece.subarray(0, n));
        sent += n;
      }
    } finally {
      file.close();
    }
  }

  /** Writes a whole small response. */
  async #respond(
    status: number,
    body: string | Uint8Array,
    keepAlive: boolean,
    method: string,
    extra: Record<string, string> = {},
  ): Promise<void> {
    const bytes = typeof body === "string" ? encoder.encode(body) : body;
    const type: Record<string, string> = typeof body === "string"
      ? { "content-type": "text/plain; charset=utf-8" }
      : {};
    const head = encoder.encode(
      statusLine(status) + fields({ ...type, ...extra, "content-length": String(bytes.length) }, keepAlive),
    );
    await this.#writeAll(head);
    if (method !== "HEAD") await this.#writeAll(bytes);
  }

  /** Writes all of `bytes`; the watchdog closes the connection when a write makes no progress in time. */
  async #writeAll(bytes: Uint8Array): Promise<void> {
    for (let written = 0; written < bytes.length;) {
      this.#arm();
      written += await this.conn.write(bytes.subarray(written));
    }
    this.#disarm();
  }

  /**
   * The next request's header (up to the blank line, which is consumed), undefined when the client
   * closed the connection between requests, or "too long".
   */
  async #readHead(): Promise<string | undefined | "too long"> {
    const chunk = new Uint8Array(4096);
    for (;;) {
      // Blank lines before a request line are allowed (RFC 9112 2.2).
      let start = 0;
      while (this.#buffered[start] === 13 && this.#buffered[start + 1] === 10) start += 2;
      if (start) this.#buffered = this.#buffered.slice(start);
      const end = findBlankLine(this.#buffered);
      if (end >= 0) {
        const head = new TextDecoder().decode(this.#buffered.subarray(0, end));
        this.#buffered = this.#buffered.slice(end + 4);
        return head;
      }
      if (this.#buffered.length > MAX_HEADER_BYTES) return "too long";
      const n = await this.conn.read(chunk);
      if (n === null) return undefined;
      const joined = new Uint8Array(this.#buffered.length + n);
      joined.set(this.#buffered);
      joined.set(chunk.subarray(0, n), this.#buffered.length);
      this.#buffered = joined;
    }
  }

  /**
   * Ends the sending side and reads (and drops) what the client still sends, for up to a second, before
   * the connection is closed: closing with unread bytes would reset it and could lose the answer.
   */
  async #linger(): Promise<void> {
    if (this.#closed) return;
    await this.conn.closeWrite();
    this.#arm(Math.min(this.timeoutMs, 1000));
    const sink = new Uint8Array(4096);
    for (let total = 0; total < 65536;) {
      const n = await this.conn.read(sink);
      if (n === null) break;
      total += n;
    }
  }

  #arm(ms = this.timeoutMs): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.close(), ms);
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? ""}\r\n`;
}

/** Header fields and the blank line; every answer is uncached and says whether the connection stays. */
function fields(headers: Record<string, string>, keepAlive: boolean): string {
  const all = { ...headers, "cache-control": "no-store", connection: keepAlive ? "keep-alive" : "close" };
  return Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`).join("") + "\r\n";
}

/** Index of the `\r\n\r\n` that ends a header block, or -1. */
function findBlankLine(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}
