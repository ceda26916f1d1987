package workflows

// The per-county case workflow (ApplicationWorkflow), which carries a case's durable
// view, timeline and search attributes as the campaign signals its transitions.

import (
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// undoable are the final states a correction can still undo: an expiry by the deadline
// when a filing received in time arrives late (R14), a forfeiture by reinstatement and an
// exclusion by readmission (R13).
func undoable(s domain.State) bool {
	return s == domain.StateExpired || s == domain.StateForfeited || s == domain.StateIneligible
}

// ApplicationWorkflow is one county's case. The campaign workflow decides every
// transition (it alone sees all counties, R3); this workflow carries the case's own
// durable record: its current view, the timeline events of this run, and the
// ApplicationState search attribute that lets the Web UI and CLI filter cases. It ends
// when the case reaches a final state (one a correction may undo once the campaign
// releases it), and continues as new when Temporal suggests it
// or after Limits.SignalsPerRun transitions, so no run grows without bound; the whole
// timeline is in PostgreSQL.
func ApplicationWorkflow(ctx workflow.Context, in ApplicationInput) (readmodel.Application, error) {
	var view readmodel.Application
	if in.View != nil {
		view = *in.View
	}
	limits := in.Limits.withDefaults()
	var timeline []readmodel.Event
	last := in.Registered
	if in.Last != nil {
		last = *in.Last
	} else {
		timeline = append(timeline, in.Registered)
	}
	if err := workflow.SetQueryHandler(ctx, QueryCase, func() (readmodel.Application, error) { return view, nil }); err != nil {
		return readmodel.Application{}, err
	}
	if err := workflow.SetQueryHandler(ctx, QueryTimeline, func() ([]readmodel.Event, error) { return timeline, nil }); err != nil {
		return readmodel.Application{}, err
	}
	transitions := workflow.GetSignalChannel(ctx, SignalTransition)
	received := 0
	released := false
	apply := func(t Transition) error {
		received++
		released = released || t.Release
		if t.Event.Seq <= last.Seq {
			return nil // a duplicate delivery: the timeline already has it
		}
		timeline = append(timeline, t.Event)
		last = t.Event
		changed := t.View.State != view.State
		view = t.View
		if !changed {
			return nil
		}
		return workflow.UpsertTypedSearchAttributes(ctx, SAApplicationState.ValueSet(string(view.State)))
	}
	drain := func() error {
		for {
			var t Transition
			if !transitions.ReceiveAsync(&t) {
				return nil
			}
			if err := apply(t); err != nil {
				return err
			}
		}
	}
	// done: the case reached a final state nothing will undo.
	done := func() bool {
		return view.State.Final() && (!in.Hold || released || !undoable(view.State))
	}
	for !done() {
		if received >= limits.SignalsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			// Take in what already arrived, so the next run starts from the newest view.
			if err := drain(); err != nil {
				return view, err
			}
			if done() {
				break
			}
			next := in
			next.View, next.Last, next.Registered = &view, &last, readmodel.Event{}
			return view, workflow.NewContinueAsNewError(ctx, ApplicationWorkflowName, next)
		}
		var t Transition
		transitions.Receive(ctx, &t)
		if err := apply(t); err != nil {
			return view, err
		}
	}
	// Drain what arrived with the final transition so no event is dropped.
	return view, drain()
}
