// Dispatch's nodejs handler, called inside the sandbox.
//
// Reads {"source", "files", "handler", "context", "payload"} as JSON on stdin, loads the source as a
// module (or, for a source folder `files`, requires the file the handler names) and calls `module.exports(context, payload)` (a Promise is awaited). The result goes as JSON to a
// descriptor of its own (`result_fd`), so what the function logs stays its logs. A TypeError is the
// caller's fault (InputError), as in Dispatch; anything else thrown is a FunctionError.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");

let resultFd = null;

function report(result) {
  fs.writeSync(resultFd, JSON.stringify(result));
  fs.closeSync(resultFd);
}

function failure(type, err) {
  const isError = err instanceof Error;
  const message = isError ? `${err.name}: ${err.message}` : `Thrown: ${String(err)}`;
  const stack = isError && err.stack ? err.stack.split("\n").slice(1).map((l) => l.trim()) : [];
  return { error: { type, message, stacktrace: stack } };
}

function finish(output) {
  let text;
  try {
    text = JSON.stringify(output === undefined ? null : output);
  } catch (err) {
    return report(failure("FunctionError", new Error(`The result is not JSON: ${err.message}`)));
  }
  if (typeof output === "function" || typeof output === "symbol" || typeof output === "bigint") {
    return report(failure("FunctionError", new Error(`The result is not JSON: a ${typeof output}`)));
  }
  report({ output: JSON.parse(text) });
}

function main() {
  const request = JSON.parse(fs.readFileSync(0, "utf8"));
  resultFd = request.result_fd;
  let handle;
  try {
    if (Object.keys(request.files).length) {
      for (const [name, data] of Object.entries(request.files)) {
        const target = path.join("/tmp/function", name);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, Buffer.from(data, "base64"));
      }
      handle = require(path.join("/tmp/function", request.handler));
    } else {
      const mod = new Module("/tmp/function/index.js", null);
      mod.filename = "/tmp/function/index.js";
      mod.paths = [];
      mod._compile(request.source, "/tmp/function/index.js");
      handle = mod.exports;
    }
    if (typeof handle !== "function") throw new Error("module.exports is not a function");
  } catch (err) {
    return report(failure("FunctionError", err));
  }
  Promise.resolve()
    .then(() => handle(request.context, request.payload))
    .then(finish, (err) => report(failure(err instanceof TypeError ? "InputError" : "FunctionError", err)));
}

main();
