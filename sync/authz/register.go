package authz

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/go-jose/go-jose/v4"

	"github.com/scopectl/scopectl/config"
)

// Registration is what an app instance registers, signed by the key it
// registers (the JWS's jwk header): proof that it holds the private key.
type Registration struct {
	Application struct {
		ID             string `json:"id"`
		ClientPlatform string `json:"clientPlatform"`
		Version        string `json:"version"`
	} `json:"application"`
	Device Device `json:"device"`
}

// Register registers a new client from signedRegistration, a compact JWS
// whose payload is a Registration and whose protected header carries the
// client's public key (jwk) that signed it. The application must be
// registered on the runtime; when its mandatory scope runs appAuthenticity,
// that check must pass for the new client too.
func (rt *Runtime) Register(ctx context.Context, signedRegistration string) (Client, error) {
	key, reg, err := verifyRegistration(signedRegistration)
	if err != nil {
		return Client{}, err
	}
	app := config.AppKey{ID: reg.Application.ID, Platform: config.Platform(reg.Application.ClientPlatform), Version: reg.Application.Version}
	if err := app.Validate(); err != nil {
		return Client{}, config.Errorf(config.KindInvalid, "application: %v", err)
	}
	c := Client{ID: randomValue(), Runtime: rt.Name, App: app, PublicKey: key, Device: reg.Device, Created: rt.now().UTC()}
	if err := rt.checkAuthenticity(ctx, c); err != nil {
		return Client{}, err
	}
	if err := rt.Store.AddMobileClient(ctx, c); err != nil {
		return Client{}, err
	}
	return c, nil
}

// verifyRegistration checks the JWS signature with the key in its own
// header, and decodes the registration strictly.
func verifyRegistration(signed string) ([]byte, Registration, error) {
	var reg Registration
	obj, err := jose.ParseSignedCompact(signed, Algorithms)
	if err != nil || len(obj.Signatures) != 1 {
		return nil, reg, config.Errorf(config.KindInvalid, "signedRegistrationData must be a compact JWS signed with ES256 or RS256")
	}
	jwk := obj.Signatures[0].Protected.JSONWebKey
	key, err := checkClientKey(jwk)
	if err != nil {
		return nil, reg, err
	}
	if obj.Signatures[0].Protected.Algorithm != string(algorithmOf(jwk)) {
		return nil, reg, config.Errorf(config.KindInvalid, "the registration's alg does not match its key")
	}
	payload, err := obj.Verify(jwk)
	if err != nil {
		return nil, reg, config.Errorf(config.KindInvalid, "the registration's signature does not verify with its jwk")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&reg); err != nil {
		return nil, reg, config.Errorf(config.KindInvalid, "registration data: %v", err)
	}
	return key, reg, nil
}

// checkAuthenticity refuses a client of an application that does not
// exist, and runs appAuthenticity when the application's mandatory scope
// asks for it.
func (rt *Runtime) checkAuthenticity(ctx context.Context, c Client) error {
	d, err := rt.descriptor(ctx, c.App)
	if err != nil {
		return err
	}
	for _, rc := range rt.resolve(d, nil).Checks {
		if rc.Name != config.CheckAppAuthenticity {
			continue
		}
		check, ok := rt.Checks.Lookup(rc.Name)
		if !ok {
			return config.Errorf(config.KindForbidden, "this runtime has no %s check", rc.Name)
		}
		out, err := check.Evaluate(ctx, Input{Client: c, Properties: rc.Effective(), Now: rt.now()})
		if err != nil {
			return err
		}
		if out.State.State != StateSuccess {
			return config.Errorf(config.KindForbidden, "application authenticity failed for %s", c.App)
		}
	}
	return nil
}
