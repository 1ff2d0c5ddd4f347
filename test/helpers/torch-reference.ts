import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Debian's interpreter (python3-torch), or $PEMN_REFERENCE_PYTHON. */
export const REFERENCE_PYTHON = process.env.PEMN_REFERENCE_PYTHON ?? "/usr/bin/python3";

/** scripts/, where pemn_torch.py lives. */
export const SCRIPTS_DIR = fileURLToPath(new URL("../../scripts/", import.meta.url));

/** Why PyTorch cannot be used, or null when it can. */
export async function torchUnavailable(): Promise<string | null> {
  if (!existsSync(REFERENCE_PYTHON)) return `${REFERENCE_PYTHON} is missing`;
  try {
    await run(REFERENCE_PYTHON, ["-c", "import torch"]);
    return null;
  } catch {
    return `${REFERENCE_PYTHON} cannot import torch (apt-get install -y python3-torch, or set PEMN_REFERENCE_PYTHON): no PyTorch comparison`;
  }
}

/**
 * Runs Python `code` with scripts/ on its path, one thread, and `argument` (JSON) as
 * sys.argv[1]; resolves with its stdout.
 */
export async function runTorch(code: string, argument: unknown): Promise<string> {
  const { stdout } = await run(
    REFERENCE_PYTHON,
    [
      "-c",
      `import sys\nsys.path.insert(0, ${JSON.stringify(SCRIPTS_DIR)})\n${code}`,
      JSON.stringify(argument),
    ],
    { maxBuffer: 16 << 20, env: { ...process.env, OMP_NUM_THREADS: "1" } },
  );
  return stdout;
}

/** Python: for each {"model", "inputs", "out"} of sys.argv[1], pemn_torch's logits of the model. */
export const TORCH_LOGITS = `
import json
import torch
import pemn_torch
torch.set_num_threads(1)
for job in json.loads(sys.argv[1]):
    model, _ = pemn_torch.load(job["model"])
    inputs, _ = pemn_torch.read_safetensors(job["inputs"])
    with torch.no_grad():
        logits = model(inputs["input"])
    pemn_torch.write_safetensors(job["out"], {"logits": logits.contiguous()})
`;
