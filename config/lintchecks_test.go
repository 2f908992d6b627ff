package config_test

import (
	"strings"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func TestLintChecks(t *testing.T) {
	src := `{"applicationKey":{"packageName":"com.x","clientPlatform":"android","version":"1.0"},
"mandatoryScope":"appAuthenticity Telemetry mapped",
"scopeElementMapping":{"mapped":"PinCodeAttempts","free":"","bad":"StepUp PinCodeAttempts"}}`
	doc, diags := config.ParseDocument([]byte(src))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	d, err := config.DecodeDescriptor(doc.Root)
	if err != nil {
		t.Fatal(err)
	}
	got := config.LintChecks(doc, d, config.BuiltinChecks, config.SeverityWarning)
	if len(got) != 2 {
		t.Fatalf("findings %+v, want the mapping of bad and the mandatory Telemetry", got)
	}
	bad, mandatory := got[0], got[1]
	if bad.Pointer != "/scopeElementMapping/bad" || bad.Line != 3 || bad.Severity != config.SeverityWarning ||
		bad.Message != `scope element "bad" maps to security check "StepUp", which the runtime does not have` {
		t.Errorf("mapping finding %+v", bad)
	}
	if mandatory.Pointer != "/mandatoryScope" || !strings.Contains(mandatory.Message, `runs security check "Telemetry"`) ||
		!strings.Contains(mandatory.Hint, "PinCodeAttempts, UserLogin, appAuthenticity") {
		t.Errorf("mandatory finding %+v", mandatory)
	}
}
