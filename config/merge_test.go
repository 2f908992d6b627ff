package config_test

import (
	"encoding/json"
	"testing"

	"github.com/scopectl/scopectl/config"
)

func descriptor(t *testing.T, src string) *config.Descriptor {
	t.Helper()
	d, err := config.ParseDescriptor([]byte(`{"applicationKey":{"packageName":"com.x","clientPlatform":"android","version":"1.0"},` + src + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMerge3(t *testing.T) {
	base := `"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}},"maxTokenExpiration":3600`
	for _, tc := range []struct {
		name, local, server, want string
	}{
		{"different keys",
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}},"maxTokenExpiration":60`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C9","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}},"maxTokenExpiration":3600`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C9","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}},"maxTokenExpiration":60`},
		{"scope elements added on both sides",
			`"mandatoryScope":"a b x","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}}`,
			`"mandatoryScope":"a y","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}}`,
			`"mandatoryScope":"a x y","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}}`},
		{"same change on both sides",
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":5}}`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":5}}`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":5}}`},
		{"local removes a mapping, server adds a check",
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}}`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3},"C2":{"enableSSO":true}}`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1"},"securityCheckConfigurations":{"C1":{"maxAttempts":3},"C2":{"enableSSO":true}}`},
		{"key with a slash",
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2","a/b~c":"Z"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}}`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}},"maxTokenExpiration":5`,
			`"mandatoryScope":"a b","scopeElementMapping":{"e1":"C1","e2":"C2","a/b~c":"Z"},"securityCheckConfigurations":{"C1":{"maxAttempts":3}},"maxTokenExpiration":5`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, conflicts := config.Merge3(descriptor(t, base), descriptor(t, tc.local), descriptor(t, tc.server))
			if len(conflicts) > 0 {
				t.Fatalf("conflicts %+v", conflicts)
			}
			if want := descriptor(t, tc.want); string(got.Canonical()) != string(want.Canonical()) {
				t.Errorf("merged:\n%s\nwant:\n%s", got.Canonical(), want.Canonical())
			}
		})
	}
}

func TestMerge3Conflicts(t *testing.T) {
	base := descriptor(t, `"mandatoryScope":"a b","securityCheckConfigurations":{"C1":{"maxAttempts":3}},"maxTokenExpiration":3600`)
	local := descriptor(t, `"mandatoryScope":"a","securityCheckConfigurations":{"C1":{"maxAttempts":4}},"maxTokenExpiration":60`)
	server := descriptor(t, `"mandatoryScope":"a b c","securityCheckConfigurations":{},"maxTokenExpiration":120`)
	got, conflicts := config.Merge3(base, local, server)
	if got != nil {
		t.Fatalf("merged despite conflicts: %s", got.Canonical())
	}
	b, _ := json.Marshal(conflicts)
	want := `[{"path":"/securityCheckConfigurations/C1/maxAttempts","base":3,"local":4,"server":null},` +
		`{"path":"/maxTokenExpiration","base":3600,"local":60,"server":120}]`
	if string(b) != want {
		t.Errorf("conflicts\n got %s\nwant %s", b, want)
	}
	// Both sides changing elements of one scope is no conflict.
	base = descriptor(t, `"mandatoryScope":"a b c"`)
	local = descriptor(t, `"mandatoryScope":"a x"`)    // removes b and c, adds x
	server = descriptor(t, `"mandatoryScope":"b c y"`) // removes a, adds y
	got, conflicts = config.Merge3(base, local, server)
	if len(conflicts) != 0 || got.MandatoryScope.String() != "x y" {
		t.Errorf("element-wise merge: %v %+v", got.MandatoryScope, conflicts)
	}
}

func TestDiffOrAbsent(t *testing.T) {
	d := descriptor(t, `"maxTokenExpiration":60`)
	added, removed := config.DiffOrAbsent(nil, d), config.DiffOrAbsent(d, nil)
	if len(added) == 0 || len(removed) != len(added) || config.DiffOrAbsent(nil, nil) != nil {
		t.Fatalf("added %v removed %v", added, removed)
	}
	for i := range added {
		if added[i].Path != removed[i].Path || added[i].New != removed[i].Old {
			t.Errorf("removal is not the reverse of creation: %v / %v", added[i], removed[i])
		}
	}
}

// TestMergeSides: with conflicts, Merge returns both sides of the file a
// person resolves: each has every non-conflicting change of both sides,
// and its own value of each conflicting member (the whole outer member
// when one side removed what the other changed).
func TestMergeSides(t *testing.T) {
	base := descriptor(t, `"displayName":"Bank","securityCheckConfigurations":{"C1":{"maxAttempts":3,"enableSSO":true}},"maxTokenExpiration":3600`)
	local := descriptor(t, `"displayName":"Bank","securityCheckConfigurations":{"C1":{"maxAttempts":4,"enableSSO":true}},"maxTokenExpiration":60,"mandatoryScope":"mine"`)
	server := descriptor(t, `"displayName":"Server bank","maxTokenExpiration":900`)
	m := config.Merge(base, local, server)
	if len(m.Conflicts) != 2 {
		t.Fatalf("conflicts %+v", m.Conflicts)
	}
	wantLocal := descriptor(t, `"displayName":"Server bank","mandatoryScope":"mine","securityCheckConfigurations":{"C1":{"maxAttempts":4,"enableSSO":true}},"maxTokenExpiration":60`)
	wantServer := descriptor(t, `"displayName":"Server bank","mandatoryScope":"mine","maxTokenExpiration":900`)
	if string(m.Local.Canonical()) != string(wantLocal.Canonical()) {
		t.Errorf("local side:\n%s\nwant:\n%s", m.Local.Canonical(), wantLocal.Canonical())
	}
	if string(m.Server.Canonical()) != string(wantServer.Canonical()) {
		t.Errorf("server side:\n%s\nwant:\n%s", m.Server.Canonical(), wantServer.Canonical())
	}
	// Without conflicts both sides are the merge.
	m = config.Merge(base, descriptor(t, `"displayName":"Bank","securityCheckConfigurations":{"C1":{"maxAttempts":3,"enableSSO":true}},"maxTokenExpiration":3600,"mandatoryScope":"x"`), server)
	if len(m.Conflicts) != 0 || m.Local != m.Server || m.Local.MandatoryScope.String() != "x" || m.Local.MaxTokenExpiration != 900 || len(m.Local.SecurityCheckConfigurations) != 0 {
		t.Errorf("clean merge: %+v", m)
	}
}

// TestMergeTwoWay: without a base nothing says which side changed a
// member, so every member that differs is a conflict and equal members are
// kept.
func TestMergeTwoWay(t *testing.T) {
	local := descriptor(t, `"displayName":"Bank","mandatoryScope":"a b","maxTokenExpiration":60`)
	server := descriptor(t, `"displayName":"Bank","mandatoryScope":"a c","maxTokenExpiration":900`)
	m := config.Merge(nil, local, server)
	b, _ := json.Marshal(m.Conflicts)
	want := `[{"path":"/mandatoryScope","base":null,"local":"a b","server":"a c"},` +
		`{"path":"/maxTokenExpiration","base":null,"local":60,"server":900}]`
	if string(b) != want {
		t.Errorf("conflicts\n got %s\nwant %s", b, want)
	}
	if m.Local != local || m.Server != server {
		t.Error("the sides of a two-way merge are the two descriptors")
	}
	same := descriptor(t, `"maxTokenExpiration":900,"mandatoryScope":"c a","displayName":"Bank"`)
	if m := config.Merge(nil, same, server); len(m.Conflicts) != 0 || m.Local != server {
		t.Errorf("equal descriptors: %+v", m)
	}
}
