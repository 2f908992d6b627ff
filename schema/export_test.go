package schema

// ValidateFull is Validate with the schema validator run on every
// document, the reference its shortcut is checked against.
func ValidateFull(src []byte) *Report { return validate(src, true) }
