import assert from "node:assert/strict";
import { describeNativeLibs, NATIVE_LIBRARY_FILES, openNativeLibs } from "../../../lib/backend/native/ffi.ts";
import { nativeTest } from "./native_libs.ts";

Deno.test("a missing native library gives one line naming it and the packages to install", () => {
  const reason = openNativeLibs({ ...NATIVE_LIBRARY_FILES, dnnl: "libdnnl-absent.so.2" });
  assert.equal(reason, "libdnnl-absent.so.2 not found: apt-get install libdnnl2 libopenblas0-pthread");
});

nativeTest("the native libraries load and say which versions they are", () => {
  assert.match(
    describeNativeLibs(),
    /^oneDNN \d+\.\d+\.\d+ \(libdnnl\.so\.2\), OpenBLAS [\d.]+.*\(libopenblas\.so\.0\)$/,
  );
});
