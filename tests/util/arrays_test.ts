import assert from "node:assert/strict";
import { concatenate } from "../../lib/util/arrays.ts";

Deno.test("concatenate puts the arrays one after another in one array of the kind asked for", () => {
  const floats = concatenate(
    [new Float32Array([1, 2]), new Float32Array([]), new Float32Array([3])],
    Float32Array,
  );
  assert.ok(floats instanceof Float32Array);
  assert.deepEqual([...floats], [1, 2, 3]);
  const bytes = concatenate([new Uint8Array([0, 1]), new Uint8Array([1])], Uint8Array);
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual([...bytes], [0, 1, 1]);
  assert.equal(concatenate([], Float32Array).length, 0);
});
