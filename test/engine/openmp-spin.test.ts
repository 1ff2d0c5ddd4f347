import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const NATIVE = fileURLToPath(new URL("../../src/engine/native.ts", import.meta.url));

/**
 * The spin count libgomp itself read when the addon loaded (OMP_DISPLAY_ENV=verbose makes it
 * print its settings), and what pemn reports, in a fresh process with the given variables.
 */
function loadWith(env: Record<string, string>): { libgomp: string | null; tuned: string } {
  const base = { ...process.env };
  for (const name of ["GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "PEMN_OMP_TUNING"]) delete base[name];
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `import(${JSON.stringify(NATIVE)}).then((m) => console.log("tuned=" + m.isOpenMpSpinTuned()))`,
    ],
    { env: { ...base, ...env, OMP_DISPLAY_ENV: "verbose" }, encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  const output = child.stdout + child.stderr;
  return {
    libgomp: /GOMP_SPINCOUNT = '(\d+)'/.exec(output)?.[1] ?? null,
    tuned: /tuned=(\w+)/.exec(output)?.[1] ?? "missing",
  };
}

test("libgomp spins 10,000 times, not 300,000, unless the user chose a wait policy", (t) => {
  const untouched = loadWith({ PEMN_OMP_TUNING: "off" });
  if (untouched.libgomp === null) {
    t.skip("this libtorch does not use libgomp");
    return;
  }
  assert.deepEqual(untouched, { libgomp: "300000", tuned: "false" });
  assert.deepEqual(loadWith({}), { libgomp: "10000", tuned: "true" });
  assert.deepEqual(loadWith({ GOMP_SPINCOUNT: "42" }), { libgomp: "42", tuned: "false" });
  const active = loadWith({ OMP_WAIT_POLICY: "ACTIVE" });
  assert.equal(active.tuned, "false");
  assert.notEqual(active.libgomp, "10000");
});
