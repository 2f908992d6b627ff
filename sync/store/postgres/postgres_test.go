package postgres_test

import (
	"context"
	"testing"

	"github.com/scopectl/scopectl/sync/store"
	"github.com/scopectl/scopectl/sync/store/postgres"
	"github.com/scopectl/scopectl/sync/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), storetest.PostgresDSN(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenFailsClearly(t *testing.T) {
	storetest.PostgresDSN(t) // skips without a server
	_, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
}
