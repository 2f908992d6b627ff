package authz

import (
	"time"

	"github.com/scopectl/scopectl/config"
)

// Client is a registered instance of a mobile application: the public key
// it proves itself with, the application it claims to be, and its device.
type Client struct {
	ID        string        `json:"id"`
	Runtime   string        `json:"runtime"`
	App       config.AppKey `json:"-"`
	PublicKey []byte        `json:"-"` // the public JWK (RFC 7517), as registered
	Device    Device        `json:"device"`
	Created   time.Time     `json:"created"`
}

// Device describes the device a client runs on, as it registered it.
type Device struct {
	ID    string `json:"id,omitempty"`
	Model string `json:"model,omitempty"`
	OS    string `json:"os,omitempty"`
}
