//go:build unix

package workspace

import (
	"io/fs"
	"syscall"
)

// links returns the number of hard links of the file at path (whose
// os.Stat or os.Lstat result is info), or 1 where the platform does not say.
func links(_ string, info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
