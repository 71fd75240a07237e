//go:build unix

package bench

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup puts the server in a process group of its own, so that stopping it also stops
// whatever it runs (a wrapper script's child, say) and a Ctrl-C in the terminal reaches only this
// command, which then stops the servers in order.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends sig to the server's process group.
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	return syscall.Kill(-cmd.Process.Pid, sig)
}
