package inference

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/spotter-app/spotter/inference/model"
)

// session is one model's ONNX Runtime session and the run options whose
// terminate flag stops a run in flight. Like the session, it is for one
// goroutine.
type session struct {
	s    *ort.DynamicAdvancedSession
	opts *ort.RunOptions
}

// newSession loads a model with threads intra-op threads (0 means
// DefaultThreads) for the named inputs and outputs.
func newSession(onnx []byte, desc *model.Descriptor, ins, outs []string, threads int) (_ *session, err error) {
	s := &session{}
	defer func() {
		if err != nil {
			s.destroy()
		}
	}()
	if s.opts, err = ort.NewRunOptions(); err != nil {
		return nil, fmt.Errorf("Cannot create run options: %w", err)
	}
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("Cannot create session options: %w", err)
	}
	defer so.Destroy()
	if threads <= 0 {
		threads = DefaultThreads
	}
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		return nil, fmt.Errorf("Cannot set %d intra-op threads: %w", threads, err)
	}
	// Idle pool threads would otherwise spin on the second core, slowing
	// the decode of the next photo and the window's drawing.
	if err := so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0"); err != nil {
		return nil, fmt.Errorf("Cannot configure ONNX Runtime's threads: %w", err)
	}
	if err := so.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("Cannot set inter-op threads: %w", err)
	}
	if s.s, err = ort.NewDynamicAdvancedSessionWithONNXData(onnx, ins, outs, so); err != nil {
		return nil, fmt.Errorf("ONNX Runtime cannot load the model %s: %v", desc.ModelPath(), err)
	}
	return s, nil
}

// run runs the session while a watcher sets ONNX Runtime's terminate flag
// if ctx ends first. The flag is cleared again before returning, so the
// next run is not stopped by a stale cancellation.
func (s *session) run(ctx context.Context, ins, outs []ort.Value) error {
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(terminated)
		if err := s.opts.Terminate(); err != nil {
			slog.Error("cannot terminate the run", "err", err)
		}
	})
	runErr := s.s.RunWithOptions(ins, outs, s.opts)
	if !stop() {
		<-terminated
		if err := s.opts.UnsetTerminate(); err != nil {
			return fmt.Errorf("Cannot reset ONNX Runtime after a cancelled run: %w", err)
		}
		return ctx.Err()
	}
	if runErr != nil {
		return fmt.Errorf("ONNX Runtime failed to read the photo: %w", runErr)
	}
	return nil
}

// destroy frees the session and its options; nil parts are skipped.
func (s *session) destroy() error {
	if s == nil {
		return nil
	}
	var errs []error
	if s.s != nil {
		errs = append(errs, s.s.Destroy())
	}
	if s.opts != nil {
		errs = append(errs, s.opts.Destroy())
	}
	return errors.Join(errs...)
}
