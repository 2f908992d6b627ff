package authz

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/scopectl/scopectl/config"
)

// pinCode is the PIN-code check (config.CheckPinCode): a client without a
// PIN is asked to enrol one ({"enroll": true}, answered {"pin": "1234"}, 4
// to 12 digits), which passes the check; later it is asked for the PIN,
// with the attempts of lifecycle. The state keeps the PIN's bcrypt hash
// (cost), never the PIN.
type pinCode struct {
	cost     int
	defaults config.Properties
}

// The length of a PIN, in digits.
const (
	minPinDigits = 4
	maxPinDigits = 12
)

// Evaluate passes a client in success, and otherwise asks it to enrol or
// to give its PIN, or checks its answer.
func (c *pinCode) Evaluate(ctx context.Context, in Input) (Outcome, error) {
	s := in.State.Current(in.Now)
	l := newLifecycle(in.Properties, c.defaults)
	if out, ok := l.settled(s); ok {
		return out, nil
	}
	if s.PinHash == "" {
		return c.enroll(l, s, in)
	}
	if in.Response == nil {
		return l.challenge(s, in.Now, ""), nil
	}
	pin, err := stringField(in.Response, "pin")
	if err != nil {
		return l.challenge(s, in.Now, err.Error()), nil
	}
	err = bcrypt.CompareHashAndPassword([]byte(s.PinHash), []byte(pin))
	if err != nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return Outcome{}, fmt.Errorf("the stored PIN hash of client %s: %w", in.Client.ID, err)
	}
	return l.attempt(s, in.Now, err == nil, "wrong PIN"), nil
}

// enroll asks a client without a PIN for one, or stores the one it
// answered and passes it.
func (c *pinCode) enroll(l lifecycle, s CheckState, in Input) (Outcome, error) {
	if in.Response == nil {
		return enrollChallenge(s, ""), nil
	}
	pin, err := stringField(in.Response, "pin")
	if err == nil {
		err = checkPin(pin)
	}
	if err != nil {
		return enrollChallenge(s, err.Error()), nil
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pin), c.cost)
	if err != nil {
		return Outcome{}, fmt.Errorf("hash the PIN of client %s: %w", in.Client.ID, err)
	}
	s.PinHash = string(hash)
	return l.succeed(s, in.Now), nil
}

func enrollChallenge(s CheckState, errMsg string) Outcome {
	c := map[string]any{"enroll": true}
	if errMsg != "" {
		c["errorMsg"] = errMsg
	}
	return Outcome{State: s, Challenge: c}
}

// checkPin accepts minPinDigits to maxPinDigits ASCII digits.
func checkPin(pin string) error {
	if len(pin) < minPinDigits || len(pin) > maxPinDigits {
		return fmt.Errorf("a PIN has %d to %d digits", minPinDigits, maxPinDigits)
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return errors.New("a PIN has only digits")
		}
	}
	return nil
}
