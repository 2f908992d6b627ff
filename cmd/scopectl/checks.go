package main

import (
	"bytes"
	"encoding/json"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/scopectl/scopectl/config"
	"github.com/scopectl/scopectl/sync/api"
)

const knownChecksFlagName = "known-checks"

// knownChecksFlag names the list of a server's security checks, as scoped
// publishes it at /{runtime}/api/az/v1/securitychecks.
func knownChecksFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    knownChecksFlagName,
		Usage:   "the security checks a server has: `FILE` saved from its /mfp/api/az/v1/securitychecks",
		EnvVars: []string{"SCOPECTL_KNOWN_CHECKS"},
	}
}

// knownChecks reads --known-checks; nil without it.
func knownChecks(c *cli.Context) (config.CheckCatalog, error) {
	path := c.String(knownChecksFlagName)
	if path == "" {
		return nil, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, usageErrorf("--known-checks %s: %s", path, describeReadError(err))
	}
	var list api.SecurityChecks
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&list); err != nil || list.SecurityChecks == nil {
		return nil, usageErrorf(`--known-checks %s: not a list of security checks ({"securityChecks": [...]}, as scoped publishes it)`, path)
	}
	return list.Catalog(), nil
}
