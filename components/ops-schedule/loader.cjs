// Unpacks the gzipped ops bundle (ConfigMap) into the pod's writable work dir and runs it with
// the CronJob's arguments: `node run.cjs daily --prometheus …`.
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const work = process.env.OPS_WORK_DIR || "/tmp";
const target = path.join(work, "ops.cjs");
fs.writeFileSync(target, zlib.gunzipSync(fs.readFileSync(path.join(__dirname, "ops.cjs.gz"))));
require(target);
