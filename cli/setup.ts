/**
 * `deno task setup`: registers the Deno Jupyter kernel and checks what the notebooks and reports
 * need (Python with nbclient/nbconvert, Chromium), printing the exact install command for anything
 * missing. Exits 1 when the notebooks can't run (no Jupyter or kernel); a missing Chromium (PDF
 * export only) is reported but not fatal, so CI can run the notebooks without a browser.
 */
import { runCli } from "../lib/cli_args.ts";
import { describeNativeLibs, loadCKernels, loadNativeLibs } from "../lib/backend/mod.ts";
import {
  findChromium,
  findPython,
  hasDenoKernel,
  MissingToolError,
  REPORT_APT_COMMAND,
} from "../lib/report/tools.ts";

await runCli("Register the Deno Jupyter kernel and check the report tools.", {}, async () => {
  const missing: string[] = [];
  const check = async (what: string, find: () => Promise<string>): Promise<string | undefined> => {
    try {
      const found = await find();
      console.log(`ok      ${what}: ${found}`);
      return found;
    } catch (error) {
      if (!(error instanceof MissingToolError)) throw error;
      console.log(`MISSING ${what}\n        ${error.message.replaceAll("\n", "\n        ")}`);
      missing.push(what);
    }
  };

  const python = await check("Python with nbclient + nbconvert (executes and exports notebooks)", findPython);

  // The kernelspec names this deno binary by absolute path, so the kernel runs the project's Deno.
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", "--force"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const installText = new TextDecoder().decode(install.stdout) + new TextDecoder().decode(install.stderr);
  if (install.code !== 0) {
    console.log(`MISSING Deno Jupyter kernel: \`deno jupyter --install\` failed:\n${installText.trim()}`);
    missing.push("Deno Jupyter kernel");
  } else if (python && !(await hasDenoKernel(python))) {
    console.log("MISSING Deno Jupyter kernel: installed, but Jupyter does not list a `deno` kernel.");
    missing.push("Deno Jupyter kernel");
  } else {
    console.log(`ok      Deno Jupyter kernel registered (${Deno.execPath()})`);
  }

  // Chromium only prints the PDFs: without it the notebooks still run (`deno task report --no-export`).
  const required = missing.length;
  await check("Chromium (prints the HTML reports to PDF; optional for --no-export)", findChromium);

  // oneDNN and OpenBLAS only speed training up: without them the wasm backend trains.
  if (typeof loadNativeLibs() === "string") {
    console.log(`MISSING native backend (fast CPU training; without it training runs on wasm)`);
    console.log(`        ${describeNativeLibs()}`);
  } else {
    console.log(`ok      native backend: ${describeNativeLibs()}`);
    // Its C kernels (optimizer steps, upsampling) compile here once, or those steps stay on JavaScript/wasm.
    const steps = loadCKernels();
    if (typeof steps === "string") console.log(`MISSING native C kernels (${steps})`);
    else console.log(`ok      native C kernels: ${steps.library}`);
  }

  console.log("");
  if (missing.length) {
    console.log(`Missing: ${missing.join("; ")}.\nOn Debian/Ubuntu:\n  ${REPORT_APT_COMMAND}`);
    if (required > 0) Deno.exit(1);
    console.log("The notebooks can run (deno task report --no-export); PDF export needs the above.");
    return;
  }
  console.log(
    "Ready. Next:\n" +
      "  deno task report             execute the notebooks, write reports/<name>.html and .pdf\n" +
      "  deno task report --small     the same, quick (what CI runs)\n" +
      "  jupyter notebook notebooks/  open them interactively (Debian: apt-get install jupyter-notebook)",
  );
});
