package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// RuleUnknownCheck is the rule of a scope element that leads to a security
// check the runtime does not have: no client could ever pass it.
const RuleUnknownCheck = "unknown-security-check"

// LintChecks reports, at severity sev, every security check that the
// descriptor's scopeElementMapping maps to, or that an element of its
// mandatoryScope names without a mapping, and that known lacks. It is
// the apply endpoint's check (an error) and app validate's with a list of
// a server's checks (a warning). d is doc decoded.
func LintChecks(doc *Document, d *Descriptor, known CheckCatalog, sev Severity) []Diagnostic {
	var diags []Diagnostic
	report := func(ptr string, unknown []string, what string) {
		diags = append(diags, Diagnostic{
			Severity: sev, Rule: RuleUnknownCheck, Pointer: ptr, Position: doc.ValuePosition(ptr),
			Message: fmt.Sprintf("%s %s, which the runtime does not have", what, checkNames(unknown)),
			Hint:    "the runtime has " + strings.Join(known.Names(), ", ") + "; declare a custom check with scoped --security-check NAME=TYPE",
		})
	}
	for _, elem := range slices.Sorted(maps.Keys(d.ScopeElementMapping)) {
		if unknown := missing(d.ScopeElementMapping[elem], known); len(unknown) > 0 {
			report(PointerJoin("/scopeElementMapping", elem), unknown, fmt.Sprintf("scope element %q maps to", elem))
		}
	}
	var unmapped []string
	for _, elem := range d.MandatoryScope {
		if _, mapped := d.ScopeElementMapping[elem]; !mapped {
			unmapped = append(unmapped, elem)
		}
	}
	if unknown := missing(unmapped, known); len(unknown) > 0 {
		report("/mandatoryScope", unknown, "the mandatory scope runs")
	}
	return diags
}

func missing(checks []string, known CheckCatalog) []string {
	var out []string
	for _, c := range checks {
		if _, ok := known[c]; !ok {
			out = append(out, c)
		}
	}
	return out
}

// checkNames writes `security check "a"` or `security checks "a" and "b"`.
func checkNames(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return "security check " + q[0]
	}
	return "security checks " + strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
