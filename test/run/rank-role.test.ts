import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_MASTER_PORT, RankRoleError, rankRoleFromEnv } from "../../src/run/index.js";

test("no RANK and no multi-task Slurm job: the process runs alone", () => {
  assert.equal(rankRoleFromEnv({}), null);
  assert.equal(rankRoleFromEnv({ SLURM_PROCID: "0", SLURM_NTASKS: "1" }), null);
});

test("torchrun's variables give the role", () => {
  const env = {
    RANK: "3",
    WORLD_SIZE: "4",
    LOCAL_RANK: "1",
    MASTER_ADDR: "10.0.0.5",
    MASTER_PORT: "29600",
  };
  assert.deepEqual(rankRoleFromEnv(env), {
    rank: 3,
    worldSize: 4,
    localRank: 1,
    masterAddr: "10.0.0.5",
    masterPort: 29600,
    source: "torchrun",
  });
  assert.equal(
    rankRoleFromEnv(env, { masterAddr: "node1", masterPort: 4000 })?.masterAddr,
    "node1",
  );
});

test("Slurm's task ids map to ranks; the master comes from MASTER_ADDR or the flag", () => {
  const env = { SLURM_PROCID: "5", SLURM_NTASKS: "8", SLURM_LOCALID: "1" };
  assert.deepEqual(rankRoleFromEnv(env, { masterAddr: "node01" }), {
    rank: 5,
    worldSize: 8,
    localRank: 1,
    masterAddr: "node01",
    masterPort: DEFAULT_MASTER_PORT,
    source: "slurm",
  });
  assert.throws(() => rankRoleFromEnv(env), /Slurm job of several tasks needs rank 0's host/);
});

test("malformed variables are named", () => {
  const base = { MASTER_ADDR: "h" };
  assert.throws(
    () => rankRoleFromEnv({ ...base, RANK: "1" }),
    /WORLD_SIZE must be an integer >= 1, got ""/,
  );
  assert.throws(
    () => rankRoleFromEnv({ ...base, RANK: "2", WORLD_SIZE: "2" }),
    /RANK \(2\) must be below WORLD_SIZE \(2\)/,
  );
  assert.throws(() => rankRoleFromEnv({ RANK: "0", WORLD_SIZE: "2" }), RankRoleError);
  assert.throws(
    () => rankRoleFromEnv({ ...base, RANK: "0", WORLD_SIZE: "2", MASTER_PORT: "70000" }),
    /MASTER_PORT must be a port in \[1, 65535\], got 70000/,
  );
});
