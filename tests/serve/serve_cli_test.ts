/**
 * `deno task serve` (cli/serve.ts) as a subprocess: its memory with clients that do not read, damaged
 * models refused or skipped before listening, start errors that name the flag, and the poster
 * generator it finds (and its screenshot with a grid).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { DEFAULT_DATASET } from "../../lib/config.ts";
import { fixtureModelMetadata } from "../fixtures.ts";
import { saveFixtureModel } from "../inference/model_fixture.ts";
import { exportGenerator } from "../../lib/gan/shipped.ts";
import { makeFixtureRun } from "../gan/generator_fixture.ts";

await tf.setBackend("cpu");
const CLI = new URL("../../cli/serve.ts", import.meta.url).pathname;

/** A running serve, with what it has printed so far. */
interface Serve {
  process: Deno.ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The port once it says `open http://...`, or its exit code when it stops first (or "timeout"). */
  started: Promise<{ port: number } | { code: number } | "timeout">;
  stop: () => Promise<void>;
}

function startServe(...args: string[]): Serve {
  const process = new Deno.Command(Deno.execPath(), {
    // The models shipped in the repository are left out: each test makes its own.
    args: ["run", "-A", CLI, "--shipped-dir", "/nonexistent-shipped-models", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let out = "", err = "";
  const collect = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) add(text);
  };
  const collected = Promise.all([
    collect(process.stdout, (text) => out += text),
    collect(process.stderr, (text) => err += text),
  ]);
  const started = new Promise<{ port: number } | { code: number } | "timeout">((resolve) => {
    const deadline = setTimeout(() => {
      clearInterval(poll);
      resolve("timeout");
    }, 60_000);
    const poll = setInterval(() => {
      const open = /open http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (open) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolve({ port: Number(open[1]) });
      }
    }, 50);
    process.status.then(async (status) => {
      await collected;
      clearInterval(poll);
      clearTimeout(deadline);
      resolve({ code: status.code });
    });
  });
  return {
    process,
    stdout: () => out,
    stderr: () => err,
    started,
    async stop() {
      try {
        process.kill("SIGTERM");
      } catch { /* already stopped */ }
      await process.status;
      await collected;
    },
  };
}

/** The resident memory of a process in bytes, from /proc. */
async function residentBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  assert.ok(kb, "VmRSS in /proc/<pid>/status");
  return Number(kb[1]) * 1024;
}

/** A model folder that passes the saved-model check, with a weights.bin of `floats` zero float32s. */
async function saveLargeModel(root: string, name: string, floats: number): Promise<void> {
  const dir = join(root, name);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, "weights.bin"), new Uint8Array(floats * 4));
  await Deno.writeTextFile(
    join(dir, "model.json"),
    JSON.stringify({
      modelTopology: { class_name: "Sequential", config: { layers: [] } },
      weightsManifest: [{
        paths: ["weights.bin"],
        weights: [{ name: "w", shape: [floats], dtype: "float32" }],
      }],
    }),
  );
  await Deno.writeTextFile(
    join(dir, "metadata.json"),
    JSON.stringify(fixtureModelMetadata(name, DEFAULT_DATASET)),
  );
}

/** Cuts the last `bytes` bytes off a file. */
async function truncateBy(path: string, bytes: number): Promise<void> {
  const { size } = await Deno.stat(path);
  await Deno.truncate(path, size - bytes);
}

Deno.test("serve: 40 clients that ask for a 20 MB weights.bin and do not read cost little memory", async () => {
  const root = await Deno.makeTempDir();
  const floats = 5 * 1024 * 1024; // 20 MiB
  await saveLargeModel(root, "large", floats);
  const serve = startServe("--models-dir", root, "--port", "0");
  const clients: Deno.Conn[] = [];
  try {
    const started = await serve.started;
    assert.ok(typeof started === "object" && "port" in started, `serve started: ${serve.stderr()}`);
    const port = started.port;
    const base = `http://127.0.0.1:${port}`;
    // One whole download first, so what is measured after is what the stalled clients cost.
    assert.equal((await (await fetch(`${base}/model/weights.bin`)).arrayBuffer()).byteLength, floats * 4);
    const before = await residentBytes(serve.process.pid);
    for (let i = 0; i < 40; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(
        new TextEncoder().encode("GET /model/weights.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
      );
      clients.push(conn);
    }
    let peak = before;
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      peak = Math.max(peak, await residentBytes(serve.process.pid));
    }
    const grown = (peak - before) / 2 ** 20;
    assert.ok(grown < 200, `RSS grew by ${grown.toFixed(0)} MB with 40 stalled clients (before: 40 x 20 MB)`);
    // Another client is answered at once.
    const t0 = performance.now();
    const metadata = await (await fetch(`${base}/model/metadata.json`)).json();
    assert.equal(metadata.name, "large");
    assert.ok(performance.now() - t0 < 5000, `metadata.json took ${performance.now() - t0} ms`);
  } finally {
    clients.forEach((conn) => conn.close());
    await serve.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serve refuses a model whose weights.bin was cut short, and without --model skips it", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "good", { validationMaps: [0.2] });
  await saveFixtureModel(root, "damaged", { validationMaps: [0.5], seed: 7 });
  const weights = join(root, "damaged", "weights.bin");
  const { size } = await Deno.stat(weights);
  await truncateBy(weights, 3);

  const named = startServe("--models-dir", root, "--model", "damaged", "--port", "0");
  try {
    const started = await named.started;
    assert.deepEqual(started, { code: 1 }, `serve must not start on it: ${named.stdout()}`);
    assert.match(
      named.stderr(),
      new RegExp(
        `error: Saved model ${join(root, "damaged")} is unusable: weights\\.bin holds ${size - 3} bytes ` +
          `where model\\.json needs ${size}`,
      ),
    );
  } finally {
    await named.stop();
  }

  const best = startServe("--models-dir", root, "--port", "0");
  try {
    const started = await best.started;
    assert.ok(typeof started === "object" && "port" in started, `serve started: ${best.stderr()}`);
    assert.match(best.stderr(), /skipped damaged model damaged: weights\.bin holds/);
    assert.match(best.stdout(), /^model: good\b/m);
    const metadata = await (await fetch(`http://127.0.0.1:${started.port}/model/metadata.json`)).json();
    assert.equal(metadata.name, "good");
  } finally {
    await best.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serve's start errors name the flag: a port in use (--port), a host that does not resolve (--host)", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "m");
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const busy = startServe("--models-dir", root, "--port", String(taken.addr.port));
    assert.deepEqual(await busy.started, { code: 1 });
    assert.match(
      busy.stderr(),
      new RegExp(`error: port ${taken.addr.port} is already in use \\(--port\\): Address already in use`),
    );
    await busy.stop();
    const host = startServe("--models-dir", root, "--port", "0", "--host", "no-such-host.invalid");
    assert.deepEqual(await host.started, { code: 1 });
    assert.match(host.stderr(), /error: cannot resolve host no-such-host\.invalid \(--host\)/);
    await host.stop();
  } finally {
    taken.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serve finds the shipped generator and says so; --screenshot --make draws a grid into the PNG", async () => {
  const root = await Deno.makeTempDir();
  await saveFixtureModel(root, "m");
  const shipped = join(root, "shipped");
  await exportGenerator({ runDir: await makeFixtureRun(root), outDir: join(shipped, "generators", "g") });
  const serve = startServe("--models-dir", root, "--port", "0", "--shipped-dir", shipped);
  try {
    const started = await serve.started;
    assert.ok(typeof started === "object" && "port" in started, `serve started: ${serve.stderr()}`);
    assert.match(serve.stdout(), /^generator: cdcgan32x48: 32x48, 14 genres x 5 decades, 40 steps/m);
    const record = await (await fetch(`http://127.0.0.1:${started.port}/generator/generator.json`)).json();
    assert.equal(record.name, "cdcgan32x48");
  } finally {
    await serve.stop();
  }
  const without = startServe("--models-dir", root, "--port", "0");
  try {
    await without.started;
    assert.match(
      without.stdout(),
      /^generator: none, so the page can't make posters \(deno task dcgan:export/m,
    );
  } finally {
    await without.stop();
  }
  const png = join(root, "page.png");
  const screenshot = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      CLI,
      "--models-dir",
      root,
      "--shipped-dir",
      shipped,
      "--screenshot",
      png,
      "--make",
      "sci-fi",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(screenshot.stdout) + new TextDecoder().decode(screenshot.stderr);
  try {
    assert.equal(screenshot.code, 0, text);
    assert.match(text, /Sci-Fi 1980s, seed 1: a 138x202 grid/);
    const bytes = await Deno.readFile(png);
    assert.deepEqual([...bytes.subarray(1, 4)], [80, 78, 71], "a PNG");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
