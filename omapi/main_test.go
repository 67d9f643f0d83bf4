package omapi_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedLab != nil {
		sharedLab.Close()
	}
	os.Exit(code)
}
