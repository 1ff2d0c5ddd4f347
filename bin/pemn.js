#!/usr/bin/env node
// In a checkout (src/ present) runs the TypeScript sources through tsx, so edits take effect
// at once; an installed package runs its compiled dist/.
import { existsSync } from "node:fs";

const sources = new URL("../src/cli/main.ts", import.meta.url);
if (existsSync(sources)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(sources.href);
} else {
  await import(new URL("../dist/cli/main.js", import.meta.url).href);
}
