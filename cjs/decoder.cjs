"use strict";
// The CommonJS face of "pemn/decoder": pemn is an ES module. Node versions that can require() an
// ES module (22.12 and later) load it here; Node 20 cannot, and is told how to load it.
try {
  module.exports = require("../dist/artifact/index.js");
} catch (error) {
  if (error && (error.code === "ERR_REQUIRE_ESM" || error.code === "ERR_REQUIRE_ASYNC_MODULE")) {
    throw new Error(
      'pemn/decoder is an ES module, which require() cannot load in this Node version: use `const pemn = await import("pemn/decoder")` (in an async function), or write ES modules ("type": "module" in package.json, or .mjs files)',
      { cause: error },
    );
  }
  throw error;
}
