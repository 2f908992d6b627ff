//go:build windows

package workspace

import (
	"io/fs"
	"syscall"
)

// links returns the number of hard links of the file at path, or 1 where
// Windows does not say. The fs.FileInfo of a Windows file carries no link
// count, so links opens the file (without read or write access, not
// following a final reparse point) and asks GetFileInformationByHandle, as
// os.SameFile does. A file that cannot be opened counts as one link: the
// write that follows then meets the same error and reports it.
func links(path string, _ fs.FileInfo) uint64 {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return 1
	}
	const share = syscall.FILE_SHARE_READ | syscall.FILE_SHARE_WRITE | syscall.FILE_SHARE_DELETE
	const flags = syscall.FILE_FLAG_BACKUP_SEMANTICS | syscall.FILE_FLAG_OPEN_REPARSE_POINT
	h, err := syscall.CreateFile(p, 0, share, nil, syscall.OPEN_EXISTING, flags, 0)
	if err != nil {
		return 1
	}
	defer syscall.CloseHandle(h)
	var d syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(h, &d); err != nil {
		return 1
	}
	return uint64(d.NumberOfLinks)
}
