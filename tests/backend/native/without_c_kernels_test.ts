/**
 * The native backend without its C kernels (no compiler, or POSTERLAB_NO_C_KERNELS=1) runs their
 * fallbacks: oneDNN batch norm and convolutions, OpenBLAS sums, WASM upsampling. Those kernels' tests
 * run again here, in a process with the C kernels turned off.
 */
import assert from "node:assert/strict";
import { NO_C_KERNELS } from "../../../lib/backend/native/shim.ts";
import { nativeTest } from "./native_libs.ts";

const HERE = new URL(".", import.meta.url);
const FILES = [
  "batch_norm_test.ts",
  "sum_test.ts",
  "resize_test.ts",
  "conv2d_test.ts",
  "depthwise_backprop_test.ts",
];

async function run(args: string[]): Promise<{ success: boolean; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    env: { [NO_C_KERNELS]: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { success: result.success, output: decode(result.stdout) + decode(result.stderr) };
}

nativeTest(`${NO_C_KERNELS}=1 turns the C kernels off and says what runs instead`, async () => {
  const shim = new URL("../../../lib/backend/native/shim.ts", import.meta.url).href;
  const { success, output } = await run([
    "eval",
    `import { loadCKernels } from "${shim}"; console.log(JSON.stringify(loadCKernels()));`,
  ]);
  assert.ok(success, output);
  assert.match(
    output,
    /C kernels turned off by POSTERLAB_NO_C_KERNELS=1 \(.*batch norm and convolutions on oneDNN/,
  );
});

nativeTest("the native kernels' tests pass without the C kernels", async () => {
  const { success, output } = await run(["test", "-A", ...FILES.map((f) => new URL(f, HERE).pathname)]);
  assert.ok(success, output.slice(-3000));
  assert.match(output, /ok \| \d+ passed \| 0 failed/);
});
