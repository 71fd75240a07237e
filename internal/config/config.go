// Package config is Tributary's one typed configuration: defaults, an
// optional TOML file, TRIBUTARY_* environment variables and command-line
// flags, in increasing order of precedence.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Credential is one access key pair and the principal it names.
type Credential struct {
	AccessKeyID     string `toml:"access_key_id"`
	SecretAccessKey string `toml:"secret_access_key"`
	// User is the IAM user name; empty or "root" means the account root.
	User string `toml:"user"`
	// AccountID defaults to Config.AccountID.
	AccountID string `toml:"account_id"`
}

// Config is everything `tributary serve` can be told.
type Config struct {
	// Addr is the listen address; 127.0.0.1 by default so nothing outside
	// the machine reaches the server unless asked to.
	Addr string `toml:"addr"`
	// DataDir holds all state; ignored when Ephemeral.
	DataDir string `toml:"data_dir"`
	// Ephemeral keeps state in a temporary directory removed on exit.
	Ephemeral bool   `toml:"ephemeral"`
	AccountID string `toml:"account_id"`
	Region    string `toml:"region"`
	// Credentials are the accepted key pairs (default: test/test, account root).
	Credentials []Credential `toml:"credentials"`
	// AllowAnyCredentials accepts every access key without checking
	// signatures: for throwaway local use only.
	AllowAnyCredentials bool `toml:"allow_any_credentials"`
	// Hostnames are extra names the endpoint is reached by, besides
	// localhost, 127.0.0.1, ::1 and the listen host (for virtual-host S3).
	Hostnames []string `toml:"hostnames"`
	LogLevel  string   `toml:"log_level"`  // debug, info, warn, error
	LogFormat string   `toml:"log_format"` // text, json
	// EnableReset turns on POST /_tributary/reset, which wipes all state.
	EnableReset bool `toml:"enable_reset"`
	// KVBackend picks the metadata store ("" = the measured default).
	KVBackend string `toml:"kv_backend"`
	// EnablePprof serves Go profiles under /_tributary/debug/pprof/.
	EnablePprof bool `toml:"enable_pprof"`
	// BlobBackend picks the object-body store ("" = the measured default).
	BlobBackend string `toml:"blob_backend"`
	// KinesisThrottling enforces Kinesis's per-shard read and write limits
	// (ProvisionedThroughputExceededException); off by default.
	KinesisThrottling bool `toml:"kinesis_throttling"`
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		Addr:        "127.0.0.1:4566",
		DataDir:     defaultDataDir(),
		AccountID:   "000000000000",
		Region:      "us-east-1",
		Credentials: []Credential{{AccessKeyID: "test", SecretAccessKey: "test"}},
		LogLevel:    "info",
		LogFormat:   "text",
	}
}

// defaultDataDir follows the XDG base directory convention.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "tributary")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "tributary")
	}
	return "tributary-data"
}

// Load builds the configuration for `tributary serve` from args (without the
// subcommand) and the environment (getenv, usually os.Getenv). The config
// file is named by --config or TRIBUTARY_CONFIG.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := Defaults()
	var (
		configFile  string
		credentials credentialFlag
		hostnames   listFlag
	)
	fs := flag.NewFlagSet("tributary serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&configFile, "config", "", "TOML configuration file (env TRIBUTARY_CONFIG)")
	// The flag defaults are only for -help; precedence is applied below.
	addr := fs.String("addr", cfg.Addr, "listen address (env TRIBUTARY_ADDR)")
	dataDir := fs.String("data-dir", cfg.DataDir, "data directory (env TRIBUTARY_DATA_DIR)")
	ephemeral := fs.Bool("ephemeral", false, "keep state in a temporary directory removed on exit (env TRIBUTARY_EPHEMERAL)")
	accountID := fs.String("account-id", cfg.AccountID, "AWS account id (env TRIBUTARY_ACCOUNT_ID)")
	region := fs.String("region", cfg.Region, "default region (env TRIBUTARY_REGION)")
	fs.Var(&credentials, "credential", "accepted credential ACCESS_KEY:SECRET[:user], repeatable (env TRIBUTARY_CREDENTIALS, comma-separated); replaces the default test:test")
	allowAny := fs.Bool("allow-any-credentials", false, "accept any access key and skip signature checks (throwaway local use only; env TRIBUTARY_ALLOW_ANY_CREDENTIALS)")
	fs.Var(&hostnames, "hostname", "extra host name the endpoint is reached by, repeatable (env TRIBUTARY_HOSTNAMES, comma-separated)")
	logLevel := fs.String("log-level", cfg.LogLevel, "debug, info, warn or error (env TRIBUTARY_LOG_LEVEL)")
	logFormat := fs.String("log-format", cfg.LogFormat, "text or json (env TRIBUTARY_LOG_FORMAT)")
	enableReset := fs.Bool("enable-reset", false, "enable POST /_tributary/reset, which wipes all state (env TRIBUTARY_ENABLE_RESET)")
	enablePprof := fs.Bool("enable-pprof", false, "serve Go profiles under /_tributary/debug/pprof/ (env TRIBUTARY_ENABLE_PPROF)")
	kvBackend := fs.String("kv-backend", "", "metadata store: pebble or bolt (env TRIBUTARY_KV_BACKEND)")
	blobBackend := fs.String("blob-backend", "", "object body store: tiered (small bodies in the log, large ones as files) or files (env TRIBUTARY_BLOB_BACKEND)")
	kinesisThrottling := fs.Bool("kinesis-throttling", false, "enforce Kinesis per-shard throughput limits (env TRIBUTARY_KINESIS_THROTTLING)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	// 1. file
	if configFile == "" {
		configFile = getenv("TRIBUTARY_CONFIG")
	}
	if configFile != "" {
		md, err := toml.DecodeFile(configFile, &cfg)
		if err != nil {
			return cfg, fmt.Errorf("config file %s: %w", configFile, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			return cfg, fmt.Errorf("config file %s: unknown setting %q", configFile, und[0].String())
		}
	}
	// 2. environment
	envErr := applyEnv(&cfg, getenv)
	if envErr != nil {
		return cfg, envErr
	}
	// 3. flags
	if set["addr"] {
		cfg.Addr = *addr
	}
	if set["data-dir"] {
		cfg.DataDir = *dataDir
	}
	if set["ephemeral"] {
		cfg.Ephemeral = *ephemeral
	}
	if set["account-id"] {
		cfg.AccountID = *accountID
	}
	if set["region"] {
		cfg.Region = *region
	}
	if set["credential"] {
		cfg.Credentials = credentials
	}
	if set["allow-any-credentials"] {
		cfg.AllowAnyCredentials = *allowAny
	}
	if set["hostname"] {
		cfg.Hostnames = hostnames
	}
	if set["log-level"] {
		cfg.LogLevel = *logLevel
	}
	if set["log-format"] {
		cfg.LogFormat = *logFormat
	}
	if set["enable-reset"] {
		cfg.EnableReset = *enableReset
	}
	if set["kv-backend"] {
		cfg.KVBackend = *kvBackend
	}
	if set["enable-pprof"] {
		cfg.EnablePprof = *enablePprof
	}
	if set["blob-backend"] {
		cfg.BlobBackend = *blobBackend
	}
	if set["kinesis-throttling"] {
		cfg.KinesisThrottling = *kinesisThrottling
	}
	return cfg, cfg.Validate()
}

func applyEnv(cfg *Config, getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) error {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s: %q is not a boolean", name, v)
			}
			*dst = b
		}
		return nil
	}
	str("TRIBUTARY_ADDR", &cfg.Addr)
	str("TRIBUTARY_DATA_DIR", &cfg.DataDir)
	str("TRIBUTARY_ACCOUNT_ID", &cfg.AccountID)
	str("TRIBUTARY_REGION", &cfg.Region)
	str("TRIBUTARY_LOG_LEVEL", &cfg.LogLevel)
	str("TRIBUTARY_LOG_FORMAT", &cfg.LogFormat)
	str("TRIBUTARY_KV_BACKEND", &cfg.KVBackend)
	str("TRIBUTARY_BLOB_BACKEND", &cfg.BlobBackend)
	for name, dst := range map[string]*bool{
		"TRIBUTARY_EPHEMERAL":             &cfg.Ephemeral,
		"TRIBUTARY_ALLOW_ANY_CREDENTIALS": &cfg.AllowAnyCredentials,
		"TRIBUTARY_ENABLE_RESET":          &cfg.EnableReset,
		"TRIBUTARY_ENABLE_PPROF":          &cfg.EnablePprof,
		"TRIBUTARY_KINESIS_THROTTLING":    &cfg.KinesisThrottling,
	} {
		if err := boolean(name, dst); err != nil {
			return err
		}
	}
	if v := getenv("TRIBUTARY_CREDENTIALS"); v != "" {
		var cf credentialFlag
		for _, item := range strings.Split(v, ",") {
			if err := cf.Set(strings.TrimSpace(item)); err != nil {
				return fmt.Errorf("TRIBUTARY_CREDENTIALS: %w", err)
			}
		}
		cfg.Credentials = cf
	}
	if v := getenv("TRIBUTARY_HOSTNAMES"); v != "" {
		var hs listFlag
		for _, h := range strings.Split(v, ",") {
			hs.Set(strings.TrimSpace(h))
		}
		cfg.Hostnames = hs
	}
	return nil
}

var (
	accountIDPattern = regexp.MustCompile(`^\d{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

// Validate reports the first setting that cannot work.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("addr %q: %w", c.Addr, err)
	}
	if !c.Ephemeral && c.DataDir == "" {
		return errors.New("data directory is empty: set --data-dir or --ephemeral")
	}
	if !accountIDPattern.MatchString(c.AccountID) {
		return fmt.Errorf("account id %q must be 12 digits", c.AccountID)
	}
	if !regionPattern.MatchString(c.Region) {
		return fmt.Errorf("region %q is not a region name like us-east-1", c.Region)
	}
	if len(c.Credentials) == 0 && !c.AllowAnyCredentials {
		return errors.New("no credentials configured")
	}
	seen := map[string]bool{}
	for i, cr := range c.Credentials {
		if cr.AccessKeyID == "" || cr.SecretAccessKey == "" {
			return fmt.Errorf("credential %d: access key id and secret are required", i+1)
		}
		if seen[cr.AccessKeyID] {
			return fmt.Errorf("credential %s is configured twice", cr.AccessKeyID)
		}
		seen[cr.AccessKeyID] = true
		if cr.AccountID != "" && !accountIDPattern.MatchString(cr.AccountID) {
			return fmt.Errorf("credential %s: account id %q must be 12 digits", cr.AccessKeyID, cr.AccountID)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("log format %q: want text or json", c.LogFormat)
	}
	switch c.KVBackend {
	case "", "pebble", "bolt":
	default:
		return fmt.Errorf("kv backend %q: want pebble or bolt", c.KVBackend)
	}
	switch c.BlobBackend {
	case "", "tiered", "files":
	default:
		return fmt.Errorf("blob backend %q: want tiered or files", c.BlobBackend)
	}
	return nil
}

// credentialFlag parses ACCESS_KEY:SECRET[:user] values.
type credentialFlag []Credential

func (c *credentialFlag) String() string { return fmt.Sprintf("%d credentials", len(*c)) }

func (c *credentialFlag) Set(v string) error {
	parts := strings.SplitN(v, ":", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("credential must be ACCESS_KEY:SECRET[:user]")
	}
	cr := Credential{AccessKeyID: parts[0], SecretAccessKey: parts[1]}
	if len(parts) == 3 {
		cr.User = parts[2]
	}
	*c = append(*c, cr)
	return nil
}

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	if v != "" {
		*l = append(*l, v)
	}
	return nil
}
