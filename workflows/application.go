package workflows

import (
	"go.temporal.io/sdk/workflow"
)

// ApplicationWorkflow is one county's case. The campaign workflow decides every
// transition (it alone sees all counties, R3); this workflow carries the case's own
// durable record: its current view, its timeline, and the ApplicationState search
// attribute that lets the Web UI and CLI filter cases. It ends when the case reaches a
// final state.
func ApplicationWorkflow(ctx workflow.Context, in ApplicationInput) (Application, error) {
	var view Application
	if in.View != nil {
		view = *in.View
	}
	timeline := []Event{in.Registered}
	if err := workflow.SetQueryHandler(ctx, QueryApplication, func() (Application, error) { return view, nil }); err != nil {
		return Application{}, err
	}
	if err := workflow.SetQueryHandler(ctx, QueryTimeline, func() ([]Event, error) { return timeline, nil }); err != nil {
		return Application{}, err
	}
	transitions := workflow.GetSignalChannel(ctx, SignalTransition)
	apply := func(t Transition) error {
		if t.Event.Seq <= timeline[len(timeline)-1].Seq {
			return nil // a duplicate delivery: the timeline already has it
		}
		timeline = append(timeline, t.Event)
		changed := t.View.State != view.State
		view = t.View
		if !changed {
			return nil
		}
		return workflow.UpsertTypedSearchAttributes(ctx, SAApplicationState.ValueSet(string(view.State)))
	}
	for !view.State.Final() {
		var t Transition
		transitions.Receive(ctx, &t)
		if err := apply(t); err != nil {
			return view, err
		}
	}
	// Drain what arrived with the final transition so no event is dropped.
	for {
		var t Transition
		if !transitions.ReceiveAsync(&t) {
			break
		}
		if err := apply(t); err != nil {
			return view, err
		}
	}
	return view, nil
}
