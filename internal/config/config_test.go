package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tributary.toml")
	if err := os.WriteFile(file, []byte(`
addr = "127.0.0.1:5000"
region = "eu-west-1"
log_level = "debug"
[[credentials]]
access_key_id = "FILEKEY"
secret_access_key = "filesecret"
user = "alice"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"defaults", nil, nil, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:4566" || c.AccountID != "000000000000" || c.Region != "us-east-1" {
				t.Errorf("defaults: %+v", c)
			}
			if len(c.Credentials) != 1 || c.Credentials[0].AccessKeyID != "test" || c.Credentials[0].SecretAccessKey != "test" {
				t.Errorf("default credentials: %+v", c.Credentials)
			}
		}},
		{"file", []string{"--config", file}, nil, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:5000" || c.Region != "eu-west-1" || c.LogLevel != "debug" {
				t.Errorf("file not applied: %+v", c)
			}
			if len(c.Credentials) != 1 || c.Credentials[0].User != "alice" {
				t.Errorf("file credentials: %+v", c.Credentials)
			}
		}},
		{"env over file", []string{"--config", file}, map[string]string{"TRIBUTARY_ADDR": "127.0.0.1:6000", "TRIBUTARY_CREDENTIALS": "A:B, C:D:bob"}, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:6000" || c.Region != "eu-west-1" {
				t.Errorf("env precedence: %+v", c)
			}
			if len(c.Credentials) != 2 || c.Credentials[1].User != "bob" {
				t.Errorf("env credentials: %+v", c.Credentials)
			}
		}},
		{"flags over env", []string{"--addr", "127.0.0.1:7000", "--ephemeral", "--credential", "X:Y"}, map[string]string{"TRIBUTARY_ADDR": "127.0.0.1:6000", "TRIBUTARY_CONFIG": file}, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:7000" || !c.Ephemeral || c.Region != "eu-west-1" {
				t.Errorf("flag precedence: %+v", c)
			}
			if len(c.Credentials) != 1 || c.Credentials[0].AccessKeyID != "X" {
				t.Errorf("flag credentials: %+v", c.Credentials)
			}
		}},
		{"env booleans", nil, map[string]string{"TRIBUTARY_ENABLE_RESET": "true", "TRIBUTARY_ALLOW_ANY_CREDENTIALS": "1"}, func(t *testing.T, c Config) {
			if !c.EnableReset || !c.AllowAnyCredentials {
				t.Errorf("booleans: %+v", c)
			}
			if c.KinesisThrottling {
				t.Errorf("kinesis throttling on by default")
			}
		}},
		{"kinesis throttling from env", nil, map[string]string{"TRIBUTARY_KINESIS_THROTTLING": "true"}, func(t *testing.T, c Config) {
			if !c.KinesisThrottling {
				t.Errorf("TRIBUTARY_KINESIS_THROTTLING not applied: %+v", c)
			}
		}},
		{"kinesis throttling flag over env", []string{"--kinesis-throttling=false"}, map[string]string{"TRIBUTARY_KINESIS_THROTTLING": "true"}, func(t *testing.T, c Config) {
			if c.KinesisThrottling {
				t.Errorf("--kinesis-throttling=false did not win over the environment")
			}
		}},
		{"kinesis throttling from file", []string{"--config", writeFile(t, dir, "k.toml", "kinesis_throttling = true\n")}, nil, func(t *testing.T, c Config) {
			if !c.KinesisThrottling {
				t.Errorf("kinesis_throttling in the file not applied")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad account", []string{"--account-id", "123"}, nil, "12 digits"},
		{"bad region", []string{"--region", "mars"}, nil, "region"},
		{"bad addr", []string{"--addr", "nope"}, nil, "addr"},
		{"bad credential", []string{"--credential", "onlykey"}, nil, "ACCESS_KEY:SECRET"},
		{"duplicate credential", []string{"--credential", "A:B", "--credential", "A:C"}, nil, "twice"},
		{"bad level", []string{"--log-level", "loud"}, nil, "log level"},
		{"bad format", []string{"--log-format", "xml"}, nil, "log format"},
		{"bad blob backend", []string{"--blob-backend", "s3"}, nil, "blob backend"},
		{"bad env bool", nil, map[string]string{"TRIBUTARY_EPHEMERAL": "maybe"}, "boolean"},
		{"missing file", []string{"--config", "/nonexistent/t.toml"}, nil, "config file"},
		{"stray arg", []string{"extra"}, nil, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

func TestUnknownFileSetting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "t.toml")
	os.WriteFile(file, []byte("adr = \"x\"\n"), 0o600)
	if _, err := Load([]string{"--config", file}, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "unknown setting") {
		t.Fatalf("got %v", err)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
