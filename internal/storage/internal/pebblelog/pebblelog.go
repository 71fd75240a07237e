// Package pebblelog routes pebble's log messages to log/slog, so an embedded
// pebble stays off stdout: routine messages at debug level, errors at error.
package pebblelog

import (
	"context"
	"fmt"
	"log/slog"
)

// Logger implements pebble.Logger.
type Logger struct{}

func (Logger) Infof(format string, args ...any) {
	if slog.Default().Enabled(context.Background(), slog.LevelDebug) {
		slog.Debug(fmt.Sprintf(format, args...), "component", "pebble")
	}
}

func (Logger) Errorf(format string, args ...any) {
	slog.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is called on unrecoverable corruption; pebble expects it not to return.
func (Logger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	slog.Error(msg, "component", "pebble")
	panic("pebble: " + msg)
}
