package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/schema"
	"github.com/scopectl/scopectl/sync/api"
	"github.com/scopectl/scopectl/sync/store"
)

// ApplyRequest is an apply as its caller asks for it.
type ApplyRequest struct {
	Runtime string
	Body    []byte // the descriptor as sent, validated by Apply
	// IfMatch is what the head must be; api.Any() applies whatever the
	// head is.
	IfMatch api.Precondition
	// DryRun validates and compares, checks IfMatch, and stores nothing.
	DryRun bool
	Author string // the client id of the caller
}

// ApplyResult is what an apply did, or what a dry run would do.
type ApplyResult struct {
	Response api.ApplyResponse
	// Created is true when the apply stored the first revision of a new
	// application (never in a dry run).
	Created bool
}

// maxApplyAttempts bounds the retries of an unconditional apply.
const maxApplyAttempts = 10

// Apply validates a descriptor with the shared schema, canonicalises it,
// compares it with the head, and stores a new revision under the
// precondition, atomically; a dry run stops before the store write. An
// invalid descriptor is a KindInvalid error with the findings in its
// details, a precondition that does not hold a KindStale one.
func (s *Service) Apply(ctx context.Context, req ApplyRequest) (*ApplyResult, error) {
	report := schema.Validate(req.Body)
	if s.knownChecks != nil {
		report.LintChecks(s.knownChecks, config.SeverityError)
	}
	if !report.Valid() {
		return nil, invalidDescriptor(report)
	}
	d := report.Descriptor
	sreq := storeRequest(req.Runtime, d, req.Author)
	if req.DryRun {
		return s.dryRun(ctx, req.IfMatch, sreq, d)
	}
	// Applies of one application in this process take turns: they would
	// queue in the store anyway, and two unconditional pushers in lockstep
	// could otherwise keep making each other retry until one gave up.
	unlock := s.applyLocks.lock(req.Runtime, d.ApplicationKey.String())
	defer unlock()
	// Without If-Match the apply is unconditional, but it still runs
	// against the head it compared with, so that the stored summary and
	// the answered diff are exact; an apply by another process makes it
	// retry.
	for attempt := 0; ; attempt++ {
		res, err := s.applyOnce(ctx, req.IfMatch, sreq, d)
		if !req.IfMatch.IsAny() || config.ErrorKind(err) != config.KindStale || attempt == maxApplyAttempts {
			return res, err
		}
	}
}

// dryRun answers what an apply would: the same plan, with the
// precondition checked here as the store would check it.
func (s *Service) dryRun(ctx context.Context, ifMatch api.Precondition, sreq store.ApplyRequest, d *config.Descriptor) (*ApplyResult, error) {
	p, err := s.plan(ctx, ifMatch, sreq, d)
	if err != nil {
		return nil, err
	}
	if err := store.CheckPrecondition(p.store.IfMatch, p.head.Number); err != nil {
		return nil, err
	}
	return &ApplyResult{Response: api.ApplyResponse{
		Application: Application(p.head), DryRun: true, Unchanged: len(p.diff) == 0, Diff: orEmpty(p.diff),
	}}, nil
}

func (s *Service) applyOnce(ctx context.Context, ifMatch api.Precondition, sreq store.ApplyRequest, d *config.Descriptor) (*ApplyResult, error) {
	p, err := s.plan(ctx, ifMatch, sreq, d)
	if err != nil {
		return nil, err
	}
	res, err := s.store.Apply(ctx, p.store)
	if err != nil {
		return nil, err
	}
	s.notify(sreq.Runtime, sreq.Key)
	return &ApplyResult{
		Response: api.ApplyResponse{Application: Application(res.Revision), Unchanged: res.Unchanged, Diff: orEmpty(p.diff)},
		Created:  res.Previous == nil,
	}, nil
}

// applyPlan is what an apply would do: the head it compares with (only
// the key when there is none), the diff from it, and the store request.
type applyPlan struct {
	head  store.Revision
	diff  []config.Change
	store store.ApplyRequest
}

// plan reads the head of d's application and completes sreq (built once
// per apply, from d) with what depends on the head: the precondition (the
// caller's, else the head compared with) and the summary of the diff.
func (s *Service) plan(ctx context.Context, ifMatch api.Precondition, sreq store.ApplyRequest, d *config.Descriptor) (applyPlan, error) {
	head, err := s.store.Head(ctx, sreq.Runtime, d.ApplicationKey)
	exists := err == nil
	if !exists && config.ErrorKind(err) != config.KindNotFound {
		return applyPlan{}, err
	}
	p := applyPlan{head: head, store: sreq}
	if !exists {
		p.head = store.Revision{Key: d.ApplicationKey}
	}
	switch {
	case !ifMatch.IsAny():
		p.store.IfMatch = ifMatch
	case exists:
		p.store.IfMatch = api.Revision(head.Number)
	default:
		p.store.IfMatch = api.Absent()
	}
	if p.diff, err = diffFromHead(head, exists, sreq.Hash, d); err != nil {
		return applyPlan{}, err
	}
	p.store.Summary = summarize(p.diff, !exists)
	return p, nil
}

// diffFromHead is the diff from the head to d (whose canonical form has
// hash), the same for a dry run and an apply: from a descriptor with
// only the key when the application does not exist, as docs/server.md
// says. Stored content was validated when it was applied; if it no
// longer parses, the store is damaged and that is an internal error, not
// an empty diff.
func diffFromHead(head store.Revision, exists bool, hash string, d *config.Descriptor) ([]config.Change, error) {
	if !exists {
		return config.Diff(&config.Descriptor{ApplicationKey: d.ApplicationKey}, d), nil
	}
	if head.Hash == hash {
		return nil, nil // the same canonical form: nothing to parse
	}
	old, err := config.ParseDescriptor(head.Content)
	if err != nil {
		return nil, &config.Error{Kind: config.KindInternal, Message: "a stored revision does not parse", Err: err}
	}
	return config.Diff(old, d), nil
}

func orEmpty(c []config.Change) []config.Change {
	if c == nil {
		return []config.Change{}
	}
	return c
}

// summarize describes a change in one line for the revision history.
func summarize(diff []config.Change, created bool) string {
	if created {
		return "created"
	}
	parts := make([]string, 0, 3)
	for _, c := range diff[:min(len(diff), 3)] {
		parts = append(parts, c.String())
	}
	s := strings.Join(parts, "; ")
	if len(diff) > 3 {
		s += "; and " + strconv.Itoa(len(diff)-3) + " more"
	}
	return s
}

// storeRequest prepares the store request for a validated descriptor: its
// canonical form and that form's hash.
func storeRequest(runtime string, d *config.Descriptor, author string) store.ApplyRequest {
	content := d.Canonical()
	sum := sha256.Sum256(content)
	return store.ApplyRequest{
		Runtime: runtime, Key: d.ApplicationKey, Content: content, Hash: hex.EncodeToString(sum[:]), Author: author,
	}
}

// invalidDescriptor is the KindInvalid error of a failed validation, with
// the findings (line and column included) in its details.
func invalidDescriptor(r *schema.Report) error {
	findings := make([]api.Finding, 0, len(r.Diagnostics))
	for _, d := range r.Diagnostics {
		findings = append(findings, api.Finding{
			Severity: d.Severity, Rule: d.Rule, Pointer: d.Pointer, Line: d.Line, Column: d.Column, Message: d.Message, Hint: d.Hint,
		})
	}
	errs, _ := r.Count()
	return &config.Error{Kind: config.KindInvalid, Message: fmt.Sprintf("the descriptor is invalid: %d error(s)", errs), Details: findings}
}

// keyLocks is a fixed set of mutexes picked by hashing a key: bounded
// memory, and two keys rarely share one.
type keyLocks [64]sync.Mutex

// lock locks the mutex of (runtime, key) and returns its unlock.
func (l *keyLocks) lock(runtime, key string) func() {
	h := fnv.New32a()
	h.Write([]byte(runtime))
	h.Write([]byte{0})
	h.Write([]byte(key))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}
