/**
 * Test helper: native kernel tests run where oneDNN and OpenBLAS load, and are skipped, with the
 * reason printed, only where they are truly absent. CI installs them (.ci/run), and with `CI` set a
 * missing library fails the tests instead of skipping them.
 *
 * @module
 */
import { loadNativeLibs } from "../../../lib/backend/native/ffi.ts";

const libs = loadNativeLibs();
/** Why the native backend cannot run here, or undefined when it can. */
export const NATIVE_MISSING: string | undefined = typeof libs === "string" ? libs : undefined;

if (NATIVE_MISSING && !Deno.env.get("CI")) console.error(`native backend tests skipped: ${NATIVE_MISSING}`);

/** `Deno.test` for a native kernel test (ignored, with the reason printed, where the libraries are absent). */
export function nativeTest(name: string, fn: () => Promise<void> | void): void {
  Deno.test({ name, ignore: NATIVE_MISSING !== undefined && !Deno.env.get("CI"), fn });
}
