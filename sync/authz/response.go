package authz

import "fmt"

// maxFieldLength bounds each text field of a challenge response: no
// credential is longer, and nothing longer is hashed or compared.
const maxFieldLength = 1024

// stringField returns the text field name of a challenge response. An
// absent, empty, non-text or overlong field is an error fit for the
// client (errorMsg).
func stringField(resp map[string]any, name string) (string, error) {
	v, ok := resp[name]
	if !ok {
		return "", fmt.Errorf("the response has no %q", name)
	}
	s, ok := v.(string)
	switch {
	case !ok:
		return "", fmt.Errorf("%q must be a string", name)
	case s == "":
		return "", fmt.Errorf("%q is empty", name)
	case len(s) > maxFieldLength:
		return "", fmt.Errorf("%q is longer than %d bytes", name, maxFieldLength)
	}
	return s, nil
}

// boolField returns the boolean field name of a challenge response, false
// when it is absent; anything but a boolean is an error.
func boolField(resp map[string]any, name string) (bool, error) {
	v, ok := resp[name]
	if !ok || v == nil {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%q must be true or false", name)
	}
	return b, nil
}
