// Package gitrepo is scopectl's access to git: the descriptors of a
// revision and of the index (read with go-git, no git program needed), the
// diff driver's setup in the repository's config and .gitattributes, the
// pre-commit hook, and the few questions only the git program answers
// (where a repository's hooks are, what its config says).
package gitrepo
