package preprocess_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind, such as a
// shrink half still running after its decode returned.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
