/**
 * The local server of `deno task serve`: the page's own files, TensorFlow.js's browser bundle and the
 * chosen saved model as static files, and nothing else.
 *
 * It answers a fixed list of paths; any other request is refused: 403 for a path that tries to leave
 * (`..`, its encodings `%2e%2e`, encoded slashes or backslashes, `//` or a drive letter), 404 for the
 * rest, 405 for methods other than GET and HEAD. Files are read from disk at each request, so a model
 * retrained under the same name is served fresh.
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
import { bundlePageScript } from "./bundle.ts";

const PAGE_DIR = new URL("./page/", import.meta.url).pathname;
const TFJS_BUNDLE = new URL("../../node_modules/@tensorflow/tfjs/dist/tf.min.js", import.meta.url).pathname;

/** What one served path is. */
type Served = { file: string; type: string } | { text: string; type: string };

/** Options of {@linkcode startPageServer}. */
export interface PageServerOptions {
  /** The saved model's folder (model.json, weights.bin, metadata.json). */
  modelDir: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: only this machine). */
  hostname?: string;
  /** Called once listening. */
  onListen?: (addr: Deno.NetAddr) => void;
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

/** The path part of a request target as the client sent it (before URL normalisation drops `..`). */
function rawPathOf(request: Request): string {
  const url = request.url;
  const afterHost = url.replace(/^[a-z]+:\/\/[^/]*/i, "");
  return afterHost.split(/[?#]/)[0] || "/";
}

/** Starts the server; the page's script is bundled first. */
export async function startPageServer(options: PageServerOptions): Promise<Deno.HttpServer<Deno.NetAddr>> {
  const routes = new Map<string, Served>([
    ["/", { file: join(PAGE_DIR, "index.html"), type: "text/html; charset=utf-8" }],
    ["/index.html", { file: join(PAGE_DIR, "index.html"), type: "text/html; charset=utf-8" }],
    ["/style.css", { file: join(PAGE_DIR, "style.css"), type: "text/css; charset=utf-8" }],
    ["/app.js", { text: await bundlePageScript(), type: "text/javascript; charset=utf-8" }],
    ["/tf.min.js", { file: TFJS_BUNDLE, type: "text/javascript; charset=utf-8" }],
    ["/model/model.json", { file: join(options.modelDir, "model.json"), type: "application/json" }],
    ["/model/weights.bin", { file: join(options.modelDir, "weights.bin"), type: "application/octet-stream" }],
    ["/model/metadata.json", { file: join(options.modelDir, "metadata.json"), type: "application/json" }],
  ]);
  const handler = async (request: Request): Promise<Response> => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Only GET and HEAD.\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    const rawPath = rawPathOf(request);
    if (isTraversal(rawPath)) {
      return new Response("Refused: outside what this server serves.\n", { status: 403 });
    }
    const served = routes.get(new URL(request.url).pathname);
    if (!served) return new Response("Not found.\n", { status: 404 });
    const headers = { "content-type": served.type, "cache-control": "no-store" };
    if ("text" in served) return new Response(request.method === "HEAD" ? null : served.text, { headers });
    try {
      const bytes = await Deno.readFile(served.file);
      return new Response(request.method === "HEAD" ? null : bytes, { headers });
    } catch {
      return new Response(`Missing on the server: ${served.file}\n`, { status: 500 });
    }
  };
  return Deno.serve({
    port: options.port ?? PREDICT_DEFAULTS.port,
    hostname: options.hostname ?? PREDICT_DEFAULTS.host,
    onListen: (addr) => options.onListen?.(addr),
  }, handler);
}
