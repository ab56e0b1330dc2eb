import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { isTraversal, startPageServer } from "../../lib/serve/server.ts";
import { saveFixtureModel } from "../inference/model_fixture.ts";

await tf.setBackend("cpu");

/** Sends a request line as written (fetch would normalise `..` away) and returns status and body. */
async function rawGet(
  port: number,
  target: string,
  method = "GET",
): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
  );
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    chunks.push(buffer.slice(0, n));
  }
  conn.close();
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return { status: Number(text.split(" ")[1]), body: text.split("\r\n\r\n").slice(1).join("\r\n\r\n") };
}

Deno.test("the server serves the page, tfjs's browser bundle and the model, and refuses everything else", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "m");
  const server = await startPageServer({ modelDir: join(root, "m"), port: 0 });
  const port = server.addr.port;
  try {
    assert.equal(server.addr.hostname, "127.0.0.1", "only this machine by default");
    const page = await rawGet(port, "/");
    assert.equal(page.status, 200);
    assert.match(page.body, /<input id="poster" type="file"/);
    assert.match(
      (await rawGet(port, "/app.js")).body,
      /function gradCam\(/,
      "the shared Grad-CAM code is bundled",
    );
    const tfjs = await fetch(`http://127.0.0.1:${port}/tf.min.js`);
    const tfjsText = await tfjs.text();
    assert.ok(tfjsText.length > 1e6 && tfjsText.includes("loadLayersModel"), "tfjs's browser bundle");
    const metadata = await (await fetch(`http://127.0.0.1:${port}/model/metadata.json`)).json();
    assert.equal(metadata.name, "m");
    const weights = new Uint8Array(
      await (await fetch(`http://127.0.0.1:${port}/model/weights.bin`)).arrayBuffer(),
    );
    assert.deepEqual(weights, await Deno.readFile(join(root, "m", "weights.bin")));

    const secret = "posterlab-secret-" + crypto.randomUUID();
    await Deno.writeTextFile(join(root, "secret.txt"), secret);
    const attempts = [
      "/../deno.json",
      "/model/../../secret.txt",
      "/%2e%2e/deno.json",
      "/model/%2E%2E/%2e%2e/secret.txt",
      "/model/..%2f..%2fsecret.txt",
      "/model%5c..%5csecret.txt",
      `//${root}/secret.txt`,
      `/${root}/secret.txt`,
      `http://127.0.0.1/../../${root}/secret.txt`,
      "/etc/passwd",
      "/deno.json",
      "/model/",
      "/lib/serve/page/app.ts",
    ];
    for (const target of attempts) {
      const { status, body } = await rawGet(port, target);
      assert.ok(status === 403 || status === 404, `${target} → ${status}`);
      assert.ok(!body.includes(secret) && !body.includes('"tasks"') && !body.includes("root:"), target);
    }
    assert.equal((await rawGet(port, "/../deno.json")).status, 403);
    assert.equal((await rawGet(port, "/%2e%2e/deno.json")).status, 403);
    assert.equal((await rawGet(port, "/etc/passwd")).status, 404, "an absolute path is just not in the list");
    assert.equal((await rawGet(port, `/${root}/secret.txt`)).status, 403, "//tmp/...: a double slash");
    assert.equal((await rawGet(port, "/", "POST")).status, 405);
  } finally {
    await server.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("traversal detection: dots, encoded dots and slashes, backslashes, double slashes, drive letters", () => {
  for (
    const path of ["/..", "/a/../b", "/%2e%2e/x", "/%2E./x", "/a%2fb", "/a\\b", "//etc", "/C:/x", "/%zz"]
  ) {
    assert.ok(isTraversal(path), path);
  }
  for (const path of ["/", "/model/model.json", "/app.js", "/a.b/c"]) assert.ok(!isTraversal(path), path);
});

/** A model folder the server can hand out (it checks nothing) with a weights.bin of `bytes` zeros. */
async function bigModelDir(bytes: number): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "model.json"), "{}");
  await Deno.writeTextFile(join(dir, "metadata.json"), "{}");
  await Deno.writeFile(join(dir, "weights.bin"), new Uint8Array(bytes));
  return dir;
}

/** Reads from `conn` until the server closes it (or `limitMs` passes: then "open"); returns the bytes read. */
async function readUntilClosed(conn: Deno.Conn, limitMs: number): Promise<number | "open"> {
  const buffer = new Uint8Array(1 << 20);
  let total = 0;
  const deadline = setTimeout(() => conn.close(), limitMs);
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) total += n;
    return total;
  } catch (error) {
    if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) return "open";
    if (error instanceof Deno.errors.ConnectionReset) return total;
    throw error;
  } finally {
    clearTimeout(deadline);
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

Deno.test("HEAD gets the file's true content-length and no body; GET streams the same length", async () => {
  const size = 3 * 1024 * 1024 + 7;
  const dir = await bigModelDir(size);
  const server = await startPageServer({ modelDir: dir, port: 0 });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(new TextEncoder().encode(
      "HEAD /model/weights.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    ));
    const chunks: number[] = [];
    const buffer = new Uint8Array(65536);
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      chunks.push(...buffer.subarray(0, n));
    }
    conn.close();
    const text = new TextDecoder().decode(new Uint8Array(chunks));
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.match(text, new RegExp(`\r\ncontent-length: ${size}\r\n`, "i"));
    assert.ok(text.endsWith("\r\n\r\n"), "no body after the header");
    const head = await fetch(`http://127.0.0.1:${server.addr.port}/model/weights.bin`, { method: "HEAD" });
    assert.equal(head.headers.get("content-length"), String(size));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const get = await fetch(`http://127.0.0.1:${server.addr.port}/model/weights.bin`);
    assert.equal(get.headers.get("content-length"), String(size));
    assert.equal((await get.arrayBuffer()).byteLength, size);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a connection that sends nothing, or stops reading its response, is closed after the timeout", async () => {
  const size = 20 * 1024 * 1024; // more than the loopback socket buffers hold
  const dir = await bigModelDir(size);
  const server = await startPageServer({ modelDir: dir, port: 0, timeoutMs: 300 });
  const port = server.addr.port;
  try {
    const silent = await Deno.connect({ hostname: "127.0.0.1", port });
    const started = Date.now();
    assert.equal(await readUntilClosed(silent, 5000), 0, "closed by the server, nothing sent");
    assert.ok(Date.now() - started < 3000, `closed after ${Date.now() - started} ms`);

    const stalled = await Deno.connect({ hostname: "127.0.0.1", port });
    await stalled.write(
      new TextEncoder().encode("GET /model/weights.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500)); // not reading
    const received = await readUntilClosed(stalled, 10_000);
    assert.ok(received !== "open" && received < size, `the server gave up on it after ${received} bytes`);

    // A slow header (a byte at a time, never finished) is cut off too.
    const slow = await Deno.connect({ hostname: "127.0.0.1", port });
    const dripping = (async () => {
      for (const byte of new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n")) {
        try {
          await slow.write(new Uint8Array([byte]));
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    assert.equal(await readUntilClosed(slow, 5000), 0);
    await dripping;

    // The server still answers.
    assert.equal(await fetch(`http://127.0.0.1:${port}/model/metadata.json`).then((r) => r.text()), "{}");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("connections beyond maxConnections get 503 while the others are served", async () => {
  const dir = await bigModelDir(16);
  const server = await startPageServer({ modelDir: dir, port: 0, maxConnections: 2, timeoutMs: 5000 });
  const port = server.addr.port;
  const idle = await Promise.all([1, 2].map(() => Deno.connect({ hostname: "127.0.0.1", port })));
  try {
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the server accept them
    const refused = await rawGet(port, "/model/metadata.json");
    assert.equal(refused.status, 503);
    idle.forEach((conn) => conn.close());
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await rawGet(port, "/model/metadata.json")).body, "{}");
  } finally {
    idle.forEach((conn) => {
      try {
        conn.close();
      } catch { /* closed */ }
    });
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
