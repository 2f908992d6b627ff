package config

import (
	"bytes"
	"encoding/json"
)

// canonicalDescriptor fixes the member order of the canonical form; the
// encoding/json encoder sorts map keys and writes struct fields in order.
type canonicalDescriptor struct {
	ApplicationKey              canonicalAppKey           `json:"applicationKey"`
	DisplayName                 string                    `json:"displayName"`
	MandatoryScope              string                    `json:"mandatoryScope"`
	ScopeElementMapping         map[string]string         `json:"scopeElementMapping"`
	SecurityCheckConfigurations map[string]map[string]any `json:"securityCheckConfigurations"`
	MaxTokenExpiration          int64                     `json:"maxTokenExpiration"`
}

type canonicalAppKey struct {
	PackageName    string `json:"packageName,omitempty"`
	BundleID       string `json:"bundleId,omitempty"`
	AssemblyName   string `json:"assemblyName,omitempty"`
	ID             string `json:"id,omitempty"`
	ClientPlatform string `json:"clientPlatform"`
	Version        string `json:"version"`
}

// Canonical returns the canonical encoding of d: every member written, in
// the order of the file format, with map keys sorted, scope strings sorted
// and de-duplicated, 2-space indentation, no HTML escaping and a final
// newline. Equal descriptors have byte-identical canonical encodings, so
// this is what pull writes, fmt produces and the server stores and hashes.
func (d *Descriptor) Canonical() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d.canonical()); err != nil {
		panic("config: canonical encoding failed: " + err.Error()) // only plain strings, ints and bools reach here
	}
	return buf.Bytes()
}

// MarshalJSON encodes d in its canonical form. It has a value receiver so
// that descriptors held by value encode the same way.
func (d Descriptor) MarshalJSON() ([]byte, error) {
	return bytes.TrimSuffix(d.Canonical(), []byte("\n")), nil
}

func (d *Descriptor) canonical() canonicalDescriptor {
	c := canonicalDescriptor{
		ApplicationKey:              canonicalKey(d.ApplicationKey),
		DisplayName:                 d.DisplayName,
		MandatoryScope:              NewScope(d.MandatoryScope...).String(),
		ScopeElementMapping:         make(map[string]string, len(d.ScopeElementMapping)),
		SecurityCheckConfigurations: make(map[string]map[string]any, len(d.SecurityCheckConfigurations)),
		MaxTokenExpiration:          d.EffectiveMaxTokenExpiration(),
	}
	for elem, checks := range d.ScopeElementMapping {
		c.ScopeElementMapping[elem] = NewScope(checks...).String()
	}
	for check, props := range d.SecurityCheckConfigurations {
		c.SecurityCheckConfigurations[check] = props
		if props == nil {
			c.SecurityCheckConfigurations[check] = map[string]any{}
		}
	}
	return c
}

func canonicalKey(k AppKey) canonicalAppKey {
	c := canonicalAppKey{ClientPlatform: string(k.Platform), Version: k.Version}
	switch k.Platform {
	case PlatformAndroid:
		c.PackageName = k.ID
	case PlatformIOS:
		c.BundleID = k.ID
	case PlatformWindows:
		c.AssemblyName = k.ID
	default:
		c.ID = k.ID
	}
	return c
}
