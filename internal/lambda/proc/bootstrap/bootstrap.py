# Tributary's Python bootstrap (spec lambda-iam-pii.md §2.7): standard library
# only. It imports the handler module named by _HANDLER, then loops over the
# Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, reproducing the payloads and log
# lines of AWS's runtime interface client (awslambdaric).
import importlib
import importlib.machinery
import json
import os
import socket
import sys
import time

# Cold start matters (spec: Python under 300 ms): http.client (email.*) and
# logging cost ~60% of the bootstrap's imports, so the Runtime API client is a
# minimal HTTP/1.1 client over one kept-alive socket (the server is
# Tributary's), logging is configured only once something imports it, and
# traceback is imported on the first error.

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime/"
_exec_env = os.environ.get("AWS_EXECUTION_ENV", "")


def _runtime_minor():
    # AWS_Lambda_python3.12 -> 12; RIC changed json.dumps defaults in 3.12.
    try:
        return int(_exec_env.rsplit(".", 1)[1])
    except (IndexError, ValueError):
        return sys.version_info[1]


ENSURE_ASCII = _runtime_minor() < 12


class _Response(object):
    __slots__ = ["status", "headers", "body"]

    def getheader(self, name, default=None):
        return self.headers.get(name.lower(), default)


class _Conn(object):
    """HTTP/1.1 over one kept-alive socket, no timeout: /next blocks until an event exists."""

    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.addr = (host, int(port))
        self.sock = None
        self.rfile = None

    def close(self):
        if self.sock is not None:
            try:
                self.rfile.close()
                self.sock.close()
            except OSError:
                pass
        self.sock = self.rfile = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            fresh = self.sock is None
            try:
                if fresh:
                    self.sock = socket.create_connection(self.addr)
                    self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self.rfile = self.sock.makefile("rb")
                head = [method, " ", path, " HTTP/1.1\r\nHost: ", API, "\r\n"]
                for k, v in (headers or {}).items():
                    head += [k, ": ", v, "\r\n"]
                if body is not None:
                    head += ["Content-Length: ", str(len(body)), "\r\n"]
                head.append("\r\n")
                data = "".join(head).encode("latin-1")
                if body is not None and len(body) < 65536:
                    self.sock.sendall(data + body)
                else:
                    self.sock.sendall(data)
                    if body:
                        self.sock.sendall(body)
                return self._read()
            except (ConnectionError, OSError, ValueError):
                self.close()
                # A kept-alive connection may have been closed by the server
                # between requests: retry once on a new one.
                if attempt or fresh:
                    raise

    def _read(self):
        f = self.rfile
        line = f.readline(65537)
        if not line:
            raise ConnectionResetError("Runtime API closed the connection")
        parts = line.split(None, 2)
        resp = _Response()
        resp.status = int(parts[1])
        resp.headers = {}
        while True:
            line = f.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            resp.headers[k.strip().lower()] = v.strip()
        if resp.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(f.readline().split(b";", 1)[0], 16)
                if size == 0:
                    while f.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(f.read(size))
                f.readline()
            resp.body = b"".join(chunks)
        else:
            resp.body = f.read(int(resp.headers.get("content-length", "0")))
        if resp.headers.get("connection", "").lower() == "close":
            self.close()
        return resp


_conn = _Conn(API)


def _request(method, path, body=None, headers=None):
    resp = _conn.request(method, PREFIX + path, body, headers)
    return resp, resp.body


def _post(path, payload, headers=None):
    h = {"Content-Type": "application/json"}
    if headers:
        h.update(headers)
    resp, data = _request("POST", path, payload, h)
    if resp.status != 202:
        sys.stdout.write(
            "[ERROR]\tRuntime API answered %d to POST %s: %s\n" % (resp.status, path, data.decode("utf-8", "replace"))
        )


def _log_error(result):
    # One stdout line, frames separated by \r, so CloudWatch keeps one event (RIC log_error).
    desc = "[ERROR]"
    if result.get("errorType"):
        desc += " " + result["errorType"]
    if result.get("errorMessage"):
        if result.get("errorType"):
            desc += ":"
        desc += " " + result["errorMessage"]
    lines = [desc]
    stack = result.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
            else:
                lines.extend(element.splitlines())
    sys.stdout.write("\r".join(lines) + "\n")


def _user_frames(tb, skip):
    import traceback

    # Drop the bootstrap's own call frame and importlib's frozen frames: the
    # caller sees only frames of the function's code, like RIC.
    frames = traceback.extract_tb(tb)[skip:]
    frames = [f for f in frames if not f.filename.startswith("<frozen ") and f.filename != __file__]
    return traceback.format_list(frames)


def _init_error(error_type, message, stack=None):
    result = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack or []}
    _log_error(result)
    _post("init/error", json.dumps(result).encode(), {"Lambda-Runtime-Function-Error-Type": error_type})
    sys.exit(1)


def _load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        _init_error("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        _init_error("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        stack = ['  File "%s" Line %s\n    %s\n' % (e.filename, e.lineno, (e.text or "").strip())]
        _init_error("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), stack)
    except Exception as e:
        _init_error(type(e).__name__, str(e), _user_frames(e.__traceback__, 1))
    fn = getattr(module, fname, None)
    if fn is None:
        _init_error("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "{cognito_identity_id=%s,cognito_identity_pool_id=%s}" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]


class LambdaContext(object):
    def __init__(self, request_id, deadline_ms, invoked_arn, identity_json, client_context_json, tenant_id):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.tenant_id = tenant_id
        self._deadline_ms = deadline_ms
        ident = json.loads(identity_json) if identity_json else {}
        self.identity = CognitoIdentity()
        self.identity.cognito_identity_id = ident.get("cognitoIdentityId")
        self.identity.cognito_identity_pool_id = ident.get("cognitoIdentityPoolId")
        self.client_context = None
        if client_context_json:
            cc = json.loads(client_context_json)
            self.client_context = ClientContext()
            self.client_context.custom = cc.get("custom")
            self.client_context.env = cc.get("env")
            self.client_context.client = None
            c = cc.get("client")
            if c is not None:
                cl = Client()
                cl.installation_id = c.get("installation_id")
                cl.app_title = c.get("app_title")
                cl.app_version_name = c.get("app_version_name")
                cl.app_version_code = c.get("app_version_code")
                cl.app_package_name = c.get("app_package_name")
                self.client_context.client = cl

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s,"
            "tenant_id=%s])" % (
                self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
                self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
                self.client_context, self.identity, self.tenant_id))


_request_id = [""]


def _setup_logging(logging):
    # Root-logger handler of RIC; the level stays WARNING.
    class RequestIDFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _request_id[0]
            return True

    handler = logging.StreamHandler(sys.stdout)
    fmt = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    fmt.converter = time.gmtime
    handler.setFormatter(fmt)
    handler.addFilter(RequestIDFilter())
    logging.getLogger().addHandler(handler)


class _LoggingHook(object):
    """Meta path finder that configures logging right after its first import."""

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_setup(module):
            exec_module(module)
            _setup_logging(module)

        spec.loader.exec_module = exec_and_setup
        return spec

    def invalidate_caches(self):
        pass


def _install_logging():
    if "logging" in sys.modules:
        _setup_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingHook())


def _add_site_dirs(dirs):
    # The interpreter runs with -S (see proc's instance.go): put the host's
    # site-packages on sys.path as site would, honouring the path lines of
    # .pth files but not their "import" lines.
    for d in dirs:
        if not os.path.isdir(d) or d in sys.path:
            continue
        sys.path.append(d)
        try:
            names = sorted(n for n in os.listdir(d) if n.endswith(".pth"))
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    for line in f:
                        line = line.rstrip()
                        if not line or line.startswith("#") or line.startswith(("import ", "import\t")):
                            continue
                        p = os.path.join(d, line)
                        if os.path.isdir(p) and p not in sys.path:
                            sys.path.append(p)
            except (OSError, UnicodeDecodeError):
                continue


def _site_builtins():
    # What site adds to builtins that handler code uses: exit() and quit().
    import builtins

    def _exit(code=None):
        raise SystemExit(code)

    for name in ("exit", "quit"):
        if not hasattr(builtins, name):
            setattr(builtins, name, _exit)


def main():
    _add_site_dirs(sys.argv[1:])
    _site_builtins()
    del sys.argv[1:]
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    os.chdir(task_root)
    _install_logging()
    fn = _load_handler(os.environ.get("_HANDLER", ""))
    while True:
        resp, body = _request("GET", "invocation/next")
        if resp.status != 200:
            sys.stdout.write("[ERROR]\tRuntime API answered %d to /next\n" % resp.status)
            sys.exit(1)
        rid = resp.getheader("Lambda-Runtime-Aws-Request-Id", "")
        trace = resp.getheader("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        _request_id[0] = rid
        try:
            ctx = LambdaContext(
                rid,
                int(resp.getheader("Lambda-Runtime-Deadline-Ms", "0")),
                resp.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                resp.getheader("Lambda-Runtime-Cognito-Identity"),
                resp.getheader("Lambda-Runtime-Client-Context"),
                resp.getheader("Lambda-Runtime-Aws-Tenant-Id"),
            )
            event = json.loads(body) if body else None
            result = fn(event, ctx)
        except Exception as e:
            err = {
                "errorMessage": str(e),
                "errorType": type(e).__name__,
                "requestId": rid,
                "stackTrace": _user_frames(e.__traceback__, 1),
            }
            _log_error(err)
            _post("invocation/%s/error" % rid, json.dumps(err).encode())
            continue
        try:
            out = json.dumps(result, ensure_ascii=ENSURE_ASCII).encode()
        except Exception as e:
            err = {
                "errorMessage": "Unable to marshal response: %s" % e,
                "errorType": "Runtime.MarshalError",
                "requestId": rid,
                "stackTrace": [],
            }
            _log_error(err)
            _post("invocation/%s/error" % rid, json.dumps(err).encode())
            continue
        _post("invocation/%s/response" % rid, out)


if __name__ == "__main__":
    main()
