/**
 * The generator posterlab ships in models/generators/ answers `dcgan:sample` right after a clone, with no
 * training: asked for two conditions with the same noise, it draws two different grids of posters.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { DEFAULT_DCGAN_SAMPLE, SHIPPED_MODELS_DIR } from "../../lib/config.ts";
import { finished, startCli } from "../fixtures.ts";
import { generatorProblems, listShippedGenerators, shippedGeneratorsDir } from "../../lib/gan/shipped.ts";

const SHIPPED = new URL(`../../${SHIPPED_MODELS_DIR}`, import.meta.url).pathname;

Deno.test("the shipped generator is healthy and dcgan:sample draws with it on a fresh clone", async () => {
  const shipped = await listShippedGenerators(SHIPPED);
  assert.deepEqual(shipped, [DEFAULT_DCGAN_SAMPLE.run], "models/generators/ holds the recommended generator");
  assert.deepEqual(await generatorProblems(join(shippedGeneratorsDir(SHIPPED), shipped[0])), []);
  // An empty working folder: no runs/, as on a fresh clone.
  const cwd = await Deno.makeTempDir();
  try {
    const grid = async (genre: string, decade: number) => {
      const out = join(cwd, `${genre}_${decade}.png`);
      const args = ["--genre", genre, "--decade", String(decade), "--count", "4", "--seed", "3"];
      const output = await finished(
        startCli("dcgan_sample", cwd, ...args, "--out", out, "--shipped-dir", SHIPPED),
      );
      const text = output.stdout + output.stderr;
      assert.equal(output.code, 0, text);
      assert.match(text, /shipped with posterlab/);
      const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      return { data, info };
    };
    const sciFi = await grid("Sci-Fi", 1980);
    const romance = await grid("Romance", 2000);
    assert.deepEqual([sciFi.info.width, sciFi.info.height], [romance.info.width, romance.info.height]);
    let changed = 0;
    let spread = 0;
    for (let i = 0; i < sciFi.data.length; i++) {
      changed += Math.abs(sciFi.data[i] - romance.data[i]);
      spread += Math.abs(sciFi.data[i] - sciFi.data[0]);
    }
    // Posters, not a blank or a constant: pixels vary, and the condition changes them.
    assert.ok(spread / sciFi.data.length > 10, `pixel spread ${spread / sciFi.data.length}`);
    assert.ok(
      changed / sciFi.data.length > 2,
      `mean change between conditions ${changed / sciFi.data.length}`,
    );
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
