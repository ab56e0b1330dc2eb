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
