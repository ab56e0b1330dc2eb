/**
 * The page's script: lib/serve/page/app.ts (with the Grad-CAM and target code it shares with the CLI)
 * bundled for the browser by `deno bundle`, once per server start. TensorFlow.js is not in it: the
 * page loads tfjs's own browser bundle from node_modules.
 *
 * @module
 */

const APP = new URL("./page/app.ts", import.meta.url).pathname;

/** The bundled page script (an ES module), or an error carrying `deno bundle`'s message. */
export async function bundlePageScript(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "posterlab-page-" });
  const output = `${dir}/app.js`;
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "--format", "esm", "-o", output, APP],
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (code !== 0) {
      throw new Error(`deno bundle ${APP} failed: ${new TextDecoder().decode(stderr).trim()}`);
    }
    return await Deno.readTextFile(output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
