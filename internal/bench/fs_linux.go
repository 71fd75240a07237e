package bench

import (
	"fmt"
	"syscall"
)

// filesystemType names the filesystem under path, so the report shows whether "durable" means a disk
// (fsync costs something) or tmpfs (fsync is free and the numbers flatter).
func filesystemType(path string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return "unknown filesystem"
	}
	switch uint64(st.Type) {
	case 0xEF53:
		return "ext4"
	case 0x58465342:
		return "xfs"
	case 0x9123683E:
		return "btrfs"
	case 0x01021994:
		return "tmpfs (fsync is free here: not a disk)"
	case 0x794C7630:
		return "overlayfs"
	case 0x2FC12FC1:
		return "zfs"
	default:
		return fmt.Sprintf("filesystem 0x%x", uint64(st.Type))
	}
}
