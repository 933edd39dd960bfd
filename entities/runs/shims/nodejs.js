// Dispatch's nodejs handler, served inside the sandbox.
//
// The first line on stdin is the function, as JSON {"source", "files", "handler", "result_fd",
// "marker"}: the shim loads the source as a module (or, for a source folder `files`, requires the
// file the handler names). Each next line is one call {"context", "payload"}: the shim calls
// `module.exports(context, payload)` (a Promise is awaited), writes the result as one JSON line to a
// descriptor of its own (`result_fd`), so what the function logs stays its logs, then ends the call's
// stdout and stderr with the marker. A warm sandbox serves many calls of one function revision; the
// result says whether this one may serve another (no timer or process of the function left) and the
// CPU time used so far. A TypeError is the caller's fault (InputError), as in Dispatch; anything else
// thrown is a FunctionError.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");

function failure(type, err) {
  const isError = err instanceof Error;
  const message = isError ? `${err.name}: ${err.message}` : `Thrown: ${String(err)}`;
  const stack = isError && err.stack ? err.stack.split("\n").slice(1).map((l) => l.trim()) : [];
  return { error: { type, message, stacktrace: stack } };
}

function encode(output) {
  if (typeof output === "function" || typeof output === "symbol" || typeof output === "bigint") {
    return failure("FunctionError", new Error(`The result is not JSON: a ${typeof output}`));
  }
  try {
    return { output: JSON.parse(JSON.stringify(output === undefined ? null : output)) };
  } catch (err) {
    return failure("FunctionError", new Error(`The result is not JSON: ${err.message}`));
  }
}

function load(fn) {
  if (Object.keys(fn.files).length) {
    for (const [name, data] of Object.entries(fn.files)) {
      const target = path.join("/tmp/function", name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, Buffer.from(data, "base64"));
    }
    return require(path.join("/tmp/function", fn.handler));
  }
  const mod = new Module("/tmp/function/index.js", null);
  mod.filename = "/tmp/function/index.js";
  mod.paths = [];
  mod._compile(fn.source, "/tmp/function/index.js");
  return mod.exports;
}

// Processes in the sandbox (its own pid namespace), and the function's pending timers.
function processes() {
  return fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).length;
}
const pendingWork = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "Immediate");

function serve(fn) {
  const marker = fn.marker;
  const baseline = processes();
  let handle = null;
  let failed = null;
  try {
    handle = load(fn);
    if (typeof handle !== "function") throw new Error("module.exports is not a function");
  } catch (err) {
    failed = failure("FunctionError", err);
  }
  return async (request) => {
    let result = failed;
    if (!result) {
      try {
        result = encode(await handle(request.context, request.payload));
      } catch (err) {
        result = failure(err instanceof TypeError ? "InputError" : "FunctionError", err);
      }
    }
    const reusable = !failed && processes() <= baseline && pendingWork().length === 0;
    const used = process.cpuUsage();
    result.reusable = reusable;
    result.cpu = (used.user + used.system) / 1e6;
    fs.writeSync(fn.result_fd, JSON.stringify(result) + "\n");
    fs.writeSync(1, marker);
    fs.writeSync(2, marker);
    return reusable;
  };
}

// Lines on stdin, one at a time: the function first, then its calls.
let call = null;
let buffered = "";
let busy = Promise.resolve(true);
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  let end;
  while ((end = buffered.indexOf("\n")) >= 0) {
    const line = buffered.slice(0, end);
    buffered = buffered.slice(end + 1);
    if (call === null) {
      call = serve(JSON.parse(line));
      continue;
    }
    busy = busy.then((more) => (more ? call(JSON.parse(line)) : false)).then((more) => more || process.exit(0));
  }
});
process.stdin.on("end", () => process.exit(0));
