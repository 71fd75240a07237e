package proc

import (
	"os/exec"
	"strings"
	"testing"
)

func TestNodeHandlers(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	p := newTestPool(t, Config{})
	cases := []struct {
		name    string
		files   map[string]string
		handler string
		want    string // exact payload when FunctionError is ""
		errType string
	}{
		{"commonjs async", map[string]string{"index.js": "let n = 0\nexports.handler = async (event, context) => ({ n: ++n, v: event.v, fn: context.functionName, mem: context.memoryLimitInMB })\n"},
			"index.handler", `{"n":1,"v":7,"fn":"node-commonjs-async","mem":"256"}`, ""},
		{"callback", map[string]string{"index.js": "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, event.v * 2), 1) }\n"},
			"index.handler", `14`, ""},
		{"esm", map[string]string{"app.mjs": "export const handler = async (event) => ({ esm: true, v: event.v })\n"},
			"app.handler", `{"esm":true,"v":7}`, ""},
		{"esm via package type", map[string]string{"package.json": `{"type":"module"}`, "index.js": "export async function handler(event) { return event.v }\n"},
			"index.handler", `7`, ""},
		{"undefined is null", map[string]string{"index.js": "exports.handler = async () => {}\n"}, "index.handler", `null`, ""},
		{"throws", map[string]string{"index.js": "exports.handler = async () => { throw new TypeError('nope') }\n"}, "index.handler", "", "TypeError"},
		{"callback error", map[string]string{"index.js": "exports.handler = (e, c, cb) => cb(new Error('cb failed'))\n"}, "index.handler", "", "Error"},
		{"missing module", map[string]string{"other.js": ""}, "index.handler", "", "Runtime.ImportModuleError"},
		{"missing handler", map[string]string{"index.js": "exports.other = 1\n"}, "index.handler", "", "Runtime.HandlerNotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fn := testFunction("node-"+strings.ReplaceAll(tc.name, " ", "-"), "nodejs20.x", tc.handler, codeDir(t, tc.files))
			res, _ := invoke(t, p, fn, `{"v":7}`)
			if tc.errType == "" {
				if res.FunctionError != "" || string(res.Payload) != tc.want {
					t.Fatalf("got %s %q, want %s", res.Payload, res.FunctionError, tc.want)
				}
				return
			}
			if m := decode(t, res.Payload); res.FunctionError != "Unhandled" || m["errorType"] != tc.errType {
				t.Fatalf("got %s", res.Payload)
			}
		})
	}
}
