// Tributary's Node.js bootstrap: loads the handler named by _HANDLER (CommonJS
// or ES module) from LAMBDA_TASK_ROOT and loops over the Lambda Runtime API,
// reproducing the payloads of AWS's Node.js runtime interface client.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import util from "node:util";

const [host, portStr] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const port = Number(portStr);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const prefix = "/2018-06-01/runtime/";

function request(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: prefix + p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

async function post(p, payload, headers) {
  const body = Buffer.from(payload);
  const res = await request("POST", p, body, Object.assign({ "Content-Type": "application/json", "Content-Length": body.length }, headers || {}));
  if (res.status !== 202) {
    process.stdout.write(`Runtime API answered ${res.status} to POST ${p}: ${res.body.toString()}\n`);
  }
}

let currentRequestId = undefined;

// console.* write one event per call: "<time>\t<request id>\t<LEVEL>\t<message>", newlines as \r.
function patchConsole() {
  const make = (level) => (...args) => {
    const msg = util.format(...args).replace(/\n/g, "\r");
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\t${level}\t${msg}\n`);
  };
  console.log = make("INFO");
  console.info = make("INFO");
  console.warn = make("WARN");
  console.error = make("ERROR");
  console.debug = make("DEBUG");
  console.trace = make("TRACE");
}

function errorPayload(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || "Error",
      errorMessage: err.message,
      trace: (err.stack || "").split("\n"),
    };
  }
  return { errorType: typeof err === "string" ? "string" : typeof err, errorMessage: String(err), trace: [] };
}

function logError(payload) {
  const msg = JSON.stringify(payload).replace(/\n/g, "\r");
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\tERROR\tInvoke Error \t${msg}\n`);
}

async function initError(type, message, trace) {
  const payload = { errorType: type, errorMessage: message, trace: trace || [] };
  process.stdout.write(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(payload).replace(/\n/g, "\r")}\n`);
  await post("init/error", JSON.stringify(payload), { "Lambda-Runtime-Function-Error-Type": type });
  process.exit(1);
}

async function loadModule(root, modName) {
  const base = path.resolve(root, modName);
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const file = base + ext;
    if (!fs.existsSync(file)) continue;
    if (ext === ".mjs") return await import(pathToFileURL(file).href);
    const require = createRequire(path.join(root, "noop.js"));
    try {
      return require(file);
    } catch (e) {
      if (e && (e.code === "ERR_REQUIRE_ESM" || e.code === "ERR_REQUIRE_ASYNC_MODULE")) {
        return await import(pathToFileURL(file).href);
      }
      throw e;
    }
  }
  const err = new Error(`Cannot find module '${modName}'`);
  err.name = "Runtime.ImportModuleError";
  err.code = "MODULE_NOT_FOUND";
  throw err;
}

async function loadHandler() {
  const handler = process.env._HANDLER || "";
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = handler.lastIndexOf(".");
  if (dot <= 0 || dot === handler.length - 1) {
    await initError("Runtime.MalformedHandlerName", "Bad handler");
  }
  const modName = handler.slice(0, dot);
  const fnPath = handler.slice(dot + 1);
  let mod;
  try {
    mod = await loadModule(root, modName);
  } catch (e) {
    if (e && (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_MODULE_NOT_FOUND")) {
      await initError("Runtime.ImportModuleError", `Error: Cannot find module '${modName}'`, (e.stack || "").split("\n"));
    }
    if (e instanceof SyntaxError) {
      await initError("Runtime.UserCodeSyntaxError", `${e.name}: ${e.message}`, (e.stack || "").split("\n"));
    }
    const p = errorPayload(e);
    await initError(p.errorType, p.errorMessage, p.trace);
  }
  let fn = mod;
  for (const part of fnPath.split(".")) fn = fn == null ? undefined : fn[part];
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const part of fnPath.split(".")) fn = fn == null ? undefined : fn[part];
  }
  if (typeof fn !== "function") {
    await initError("Runtime.HandlerNotFound", `${handler} is undefined or not exported`);
  }
  return fn;
}

function makeContext(id, headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const identity = headers["lambda-runtime-cognito-identity"];
  const clientContext = headers["lambda-runtime-client-context"];
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: identity ? JSON.parse(identity) : undefined,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

function runHandler(fn, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = done;
    context.succeed = (r) => done(null, r);
    context.fail = (e) => done(e ?? new Error("handled"));
    try {
      const ret = fn(event, context, done);
      if (ret && typeof ret.then === "function") ret.then((r) => done(null, r), (e) => done(e ?? new Error("rejected")));
      else if (fn.length < 3 && !settled) done(null, ret);
    } catch (e) {
      done(e);
    }
  });
}

async function main() {
  patchConsole();
  const fn = await loadHandler();
  for (;;) {
    const res = await request("GET", "invocation/next");
    if (res.status !== 200) {
      process.stdout.write(`Runtime API answered ${res.status} to /next\n`);
      process.exit(1);
    }
    const id = res.headers["lambda-runtime-aws-request-id"];
    currentRequestId = id;
    if (res.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = res.headers["lambda-runtime-trace-id"];
    else delete process.env._X_AMZN_TRACE_ID;
    let result;
    try {
      const event = res.body.length ? JSON.parse(res.body.toString("utf8")) : null;
      result = await runHandler(fn, event, makeContext(id, res.headers));
    } catch (e) {
      const p = errorPayload(e);
      logError(p);
      await post(`invocation/${id}/error`, JSON.stringify(p), { "Lambda-Runtime-Function-Error-Type": p.errorType });
      continue;
    }
    let out;
    try {
      out = result === undefined ? "null" : JSON.stringify(result);
    } catch (e) {
      const p = { errorType: "Runtime.MarshalError", errorMessage: `Unable to stringify response body: ${e.message}`, trace: [] };
      logError(p);
      await post(`invocation/${id}/error`, JSON.stringify(p));
      continue;
    }
    await post(`invocation/${id}/response`, out);
  }
}

main().catch((e) => {
  process.stdout.write(`bootstrap failed: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
