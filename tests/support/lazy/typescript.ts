import { lazyModule } from "./lazy-module";

// @pulumi/pulumi/typescript-shim.js, mapped here by jest.config.js: `typescript` on first use.
module.exports = lazyModule(() => require("typescript"));
