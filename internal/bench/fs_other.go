//go:build !linux

package bench

func filesystemType(string) string { return "unknown filesystem" }
