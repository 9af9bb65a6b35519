import { join } from "node:path";
import { lazyModule } from "./lazy-module";

// `@npmcli/arborist`, mapped here by jest.config.js; required by its path, which the mapping
// does not match, on first use.
const ARBORIST = join(__dirname, "..", "..", "..", "node_modules", "@npmcli", "arborist");
module.exports = lazyModule(() => require(ARBORIST));
