package workspace

import (
	"io/fs"
	"syscall"
)

// links returns the number of hard links of a file, or 1 where the
// platform does not say.
func links(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
