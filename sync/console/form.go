package console

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

// blankRows is how many empty rows the Security tab offers for a new
// mapping or property.
const blankRows = 3

// securityForm is the Security tab: every field of the descriptor, as
// text the way the operator typed it, and the findings of its last save.
type securityForm struct {
	Revision           int64 // the head the form was read from: the save's If-Match
	DisplayName        string
	MaxTokenExpiration string
	MandatoryScope     string
	Mappings           []mappingRow
	Configs            []propertyRow
	// Errors are findings by the form field they belong to (see
	// fieldOf); Findings are all of them, for the summary.
	Errors   map[string][]string
	Findings []api.Finding
}

type mappingRow struct{ Element, Checks string }

type propertyRow struct{ Check, Property, Value string }

// Field keys of the findings that belong to a form field.
func mappingField(element string) string      { return "mapping:" + element }
func propertyField(check, prop string) string { return "property:" + check + "/" + prop }

// ErrorsOf returns the messages of a field.
func (f *securityForm) ErrorsOf(field string) []string { return f.Errors[field] }

// formOf is the form of a stored descriptor.
func formOf(d *config.Descriptor, revision int64) *securityForm {
	f := &securityForm{Revision: revision, DisplayName: d.DisplayName, MandatoryScope: d.MandatoryScope.String()}
	if d.MaxTokenExpiration > 0 {
		f.MaxTokenExpiration = strconv.FormatInt(d.MaxTokenExpiration, 10)
	}
	for _, e := range slices.Sorted(maps.Keys(d.ScopeElementMapping)) {
		f.Mappings = append(f.Mappings, mappingRow{Element: e, Checks: d.ScopeElementMapping[e].String()})
	}
	for _, check := range slices.Sorted(maps.Keys(d.SecurityCheckConfigurations)) {
		props := d.SecurityCheckConfigurations[check]
		for _, p := range slices.Sorted(maps.Keys(props)) {
			f.Configs = append(f.Configs, propertyRow{Check: check, Property: p, Value: fmt.Sprint(props[p])})
		}
	}
	return f
}

// addBlankRows adds the empty rows a page offers for new entries.
func (f *securityForm) addBlankRows() {
	for range blankRows {
		f.Mappings = append(f.Mappings, mappingRow{})
		f.Configs = append(f.Configs, propertyRow{})
	}
}

// readForm reads the Security tab as posted; rows left empty are dropped.
func readForm(r *http.Request) *securityForm {
	f := &securityForm{
		DisplayName:        r.PostFormValue("displayName"),
		MaxTokenExpiration: strings.TrimSpace(r.PostFormValue("maxTokenExpiration")),
		MandatoryScope:     r.PostFormValue("mandatoryScope"),
	}
	f.Revision, _ = strconv.ParseInt(r.PostFormValue("revision"), 10, 64)
	elements, checks := r.PostForm["element"], r.PostForm["checks"]
	for i := range min(len(elements), len(checks)) {
		if row := (mappingRow{strings.TrimSpace(elements[i]), checks[i]}); row != (mappingRow{}) {
			f.Mappings = append(f.Mappings, row)
		}
	}
	cks, props, values := r.PostForm["check"], r.PostForm["property"], r.PostForm["value"]
	for i := range min(len(cks), len(props), len(values)) {
		if row := (propertyRow{strings.TrimSpace(cks[i]), strings.TrimSpace(props[i]), strings.TrimSpace(values[i])}); row != (propertyRow{}) {
			f.Configs = append(f.Configs, row)
		}
	}
	return f
}

// body is the descriptor the form describes, as JSON for the apply: the
// stored one (its application key and anything the form does not show)
// with the form's fields in place. Values go in as typed, so that the
// apply's validation reports them as it does a file's (a maxTokenExpiration
// that is not a number is a string, refused by the schema). What JSON
// cannot say (an element or a property listed twice) is a finding here.
func (f *securityForm) body(stored []byte) ([]byte, []api.Finding) {
	doc := map[string]any{}
	if err := json.Unmarshal(stored, &doc); err != nil {
		doc = map[string]any{}
	}
	setOrDelete(doc, "displayName", f.DisplayName)
	setOrDelete(doc, "mandatoryScope", strings.TrimSpace(f.MandatoryScope))
	delete(doc, "maxTokenExpiration")
	if f.MaxTokenExpiration != "" {
		doc["maxTokenExpiration"] = typed(f.MaxTokenExpiration)
	}
	var findings []api.Finding
	mapping := map[string]any{}
	for _, m := range f.Mappings {
		if _, dup := mapping[m.Element]; dup {
			findings = append(findings, formFinding(config.PointerJoin("/scopeElementMapping", m.Element), "scope element "+strconv.Quote(m.Element)+" is mapped twice"))
		}
		mapping[m.Element] = strings.TrimSpace(m.Checks)
	}
	doc["scopeElementMapping"] = mapping
	configs := map[string]any{}
	for _, p := range f.Configs {
		props, _ := configs[p.Check].(map[string]any)
		if props == nil {
			props = map[string]any{}
			configs[p.Check] = props
		}
		if _, dup := props[p.Property]; dup {
			findings = append(findings, formFinding(config.PointerJoin(config.PointerJoin("/securityCheckConfigurations", p.Check), p.Property),
				"property "+strconv.Quote(p.Property)+" of "+strconv.Quote(p.Check)+" is set twice"))
		}
		props[p.Property] = typed(p.Value)
	}
	doc["securityCheckConfigurations"] = configs
	b, _ := json.Marshal(doc)
	return b, findings
}

func setOrDelete(doc map[string]any, key, value string) {
	if value == "" {
		delete(doc, key)
		return
	}
	doc[key] = value
}

// typed is a typed value as the JSON it would be in a file: a whole
// number, true or false, or else a string.
func typed(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if b, err := strconv.ParseBool(s); err == nil && (s == "true" || s == "false") {
		return b
	}
	return s
}

func formFinding(pointer, msg string) api.Finding {
	return api.Finding{Severity: config.SeverityError, Rule: "form", Pointer: pointer, Message: msg}
}

// setFindings files findings under the fields they point at, and keeps
// them all for the summary.
func (f *securityForm) setFindings(findings []api.Finding) {
	f.Findings = findings
	f.Errors = map[string][]string{}
	for _, fd := range findings {
		msg := fd.Message
		if fd.Hint != "" {
			msg += " (" + fd.Hint + ")"
		}
		field := fieldOf(fd.Pointer)
		f.Errors[field] = append(f.Errors[field], msg)
	}
}

// fieldOf is the form field a finding's JSON pointer is about: the
// scalar fields by name, a mapping by its element, a property by check
// and name; anything else belongs to the form as a whole ("").
func fieldOf(pointer string) string {
	parts := config.PointerTokens(pointer)
	switch {
	case len(parts) >= 1 && (parts[0] == "maxTokenExpiration" || parts[0] == "mandatoryScope" || parts[0] == "displayName"):
		return parts[0]
	case len(parts) >= 2 && parts[0] == "scopeElementMapping":
		return mappingField(parts[1])
	case len(parts) >= 3 && parts[0] == "securityCheckConfigurations":
		return propertyField(parts[1], parts[2])
	}
	return ""
}
