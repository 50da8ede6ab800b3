package runtime

import (
	"testing"

	"github.com/durable-go/durable/runtime/store"
)

// The user's statuses and the store's are converted into each other at the
// boundary as strings: each must be spelled as its store counterpart.
func TestStatusesAreSpelledAsTheStores(t *testing.T) {
	runs := []struct {
		run    RunStatus
		stored store.Status
	}{
		{RunQueued, store.StatusQueued},
		{RunRunning, store.StatusRunning},
		{RunSleeping, store.StatusSleeping},
		{RunWaiting, store.StatusWaiting},
		{RunBlocked, store.StatusBlocked},
		{RunPaused, store.StatusPaused},
		{RunCompleted, store.StatusCompleted},
		{RunFailed, store.StatusFailed},
		{RunCancelled, store.StatusCancelled},
		{RunSkipped, store.StatusSkipped},
	}
	if len(runs) != len(runStatuses) {
		t.Errorf("runStatuses has %d statuses, this test %d", len(runStatuses), len(runs))
	}
	for _, c := range runs {
		if string(c.run) != string(c.stored) {
			t.Errorf("run status %q is %q in the store", c.run, c.stored)
		}
	}
	steps := []struct {
		step   StepStatus
		stored store.StepStatus
	}{
		{StepCompleted, store.StepCompleted},
		{StepFailed, store.StepFailed},
		{StepRetrying, store.StepRetrying},
		{StepSleeping, store.StepSleeping},
		{StepWaiting, store.StepWaiting},
		{StepStarted, store.StepStarted},
	}
	for _, c := range steps {
		if string(c.step) != string(c.stored) {
			t.Errorf("step status %q is %q in the store", c.step, c.stored)
		}
	}
}
