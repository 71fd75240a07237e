package bench

import (
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseS3Flags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(t *testing.T, c Config)
		wantErr string // substring; "" means success
	}{
		{
			name: "defaults",
			args: []string{"--moto"},
			check: func(t *testing.T, c Config) {
				if c.Runs != 3 || c.Duration != 3*time.Second || c.Warmup != 500*time.Millisecond || c.Ops != 0 {
					t.Errorf("runs/duration/warmup/ops = %d/%s/%s/%d", c.Runs, c.Duration, c.Warmup, c.Ops)
				}
				if c.ListKeys != 10000 || c.ListPage != 1000 || c.AccessKey != "test" || c.SecretKey != "test" || c.Region != "us-east-1" {
					t.Errorf("list/credentials/region = %d/%d/%s/%s/%s", c.ListKeys, c.ListPage, c.AccessKey, c.SecretKey, c.Region)
				}
				if got := workloadNames(c.Workloads); !reflect.DeepEqual(got, workloadNames(AllWorkloads(10000))) {
					t.Errorf("workloads = %v, want all", got)
				}
			},
		},
		{
			name: "side by side with overrides",
			args: []string{"--tributary", "/tmp/tributary", "--moto", "--runs", "5", "--duration", "10s", "--tributary-arg", "--log-level", "--tributary-arg", "warn", "--markdown"},
			check: func(t *testing.T, c Config) {
				if c.TributaryBin != "/tmp/tributary" || !c.Moto || c.Runs != 5 || c.Duration != 10*time.Second || !c.Markdown {
					t.Errorf("got %+v", c)
				}
				if !reflect.DeepEqual(c.TributaryArgs, []string{"--log-level", "warn"}) {
					t.Errorf("tributary args = %q", c.TributaryArgs)
				}
			},
		},
		{
			name: "op count replaces duration",
			args: []string{"--endpoint", "http://localhost:4566", "--ops", "500", "--duration", "0"},
			check: func(t *testing.T, c Config) {
				if c.Ops != 500 || c.Endpoint != "http://localhost:4566" || c.EndpointLabel != "endpoint" {
					t.Errorf("got ops %d endpoint %q label %q", c.Ops, c.Endpoint, c.EndpointLabel)
				}
			},
		},
		{
			name: "workload prefixes keep run order",
			args: []string{"--moto", "--workloads", "list, get-1MiB ,PUT-4KiB-c16"},
			check: func(t *testing.T, c Config) {
				want := []string{"put-4KiB-c16", "get-1MiB-c1", "get-1MiB-c16", "list-10000"}
				if got := workloadNames(c.Workloads); !reflect.DeepEqual(got, want) {
					t.Errorf("workloads = %v, want %v", got, want)
				}
			},
		},
		{
			name: "list workload is named by its key count",
			args: []string{"--moto", "--list-keys", "500", "--workloads", "list-500"},
			check: func(t *testing.T, c Config) {
				if len(c.Workloads) != 1 || c.Workloads[0].Size != 500 || c.Workloads[0].Op != OpList {
					t.Errorf("workloads = %+v", c.Workloads)
				}
			},
		},
		{name: "nothing to measure", args: nil, wantErr: "nothing to measure"},
		{name: "endpoint without scheme", args: []string{"--endpoint", "localhost:4566"}, wantErr: "not an http(s) URL"},
		{name: "label collides with started server", args: []string{"--moto", "--endpoint", "http://h:1", "--endpoint-label", "moto_server"}, wantErr: "collides"},
		{name: "zero runs", args: []string{"--moto", "--runs", "0"}, wantErr: "--runs"},
		{name: "zero duration without ops", args: []string{"--moto", "--duration", "0"}, wantErr: "--duration"},
		{name: "page too large", args: []string{"--moto", "--list-page", "1001"}, wantErr: "--list-page"},
		{name: "verify-every zero", args: []string{"--moto", "--verify-every", "0"}, wantErr: "--verify-every"},
		{name: "unknown workload", args: []string{"--moto", "--workloads", "delete"}, wantErr: `"delete" matches none`},
		{name: "prefix must end at a dash", args: []string{"--moto", "--workloads", "pu"}, wantErr: `"pu" matches none`},
		{name: "stray argument", args: []string{"--moto", "extra"}, wantErr: `unexpected argument "extra"`},
		{name: "unknown flag", args: []string{"--motto"}, wantErr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseS3Flags(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestParseS3FlagsHelp(t *testing.T) {
	var out strings.Builder
	_, err := ParseS3Flags([]string{"-h"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "put-4KiB-c16") || !strings.Contains(out.String(), "--tributary") {
		t.Errorf("usage lacks workload names or flags:\n%s", out.String())
	}
}
