// Package workspace knows the files of a scopectl project on disk: where its
// descriptors are, and how to replace a file without ever leaving a torn or
// half-written one behind.
package workspace
