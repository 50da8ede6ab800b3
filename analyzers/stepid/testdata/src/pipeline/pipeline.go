// Package pipeline runs a user-defined graph of nodes, one step per node.
package pipeline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/durable-go/durable/runtime"
	"github.com/durable-go/durable/runtime/step"
)

type NodeType string

type Call struct{ Name, Args string }

type Node struct {
	ID     string
	Call   Call
	Type   NodeType
	Config map[string]string
}

type Graph struct {
	Nodes []Node
	Tags  []string
}

var GraphSubmitted = runtime.NewEventType[Graph]("pipeline/graph.submitted", "1", nil)

func execute(ctx context.Context, n Node) (string, error) { return string(n.Type), nil }

var Run = runtime.NewFunction(runtime.FunctionOpts{ID: "run-pipeline"}, GraphSubmitted.Trigger(),
	func(ctx context.Context, in runtime.Input[Graph]) (any, error) {
		g := in.Event.Data
		for _, node := range g.Nodes {
			_, err := step.Run(ctx, string(node.Type), func(ctx context.Context) (string, error) { return execute(ctx, node) }) // want `the ID of this step.Run is built from node, an element of the list this loop ranges over, which may repeat`
			if err != nil {
				return nil, err
			}
			kind := "node-" + string(node.Type)
			if _, err := step.Run(ctx, kind, func(ctx context.Context) (string, error) { return execute(ctx, node) }); err != nil { // want `built from node, an element of the list`
				return nil, err
			}
		}
		for _, node := range g.Nodes {
			if _, err := step.Run(ctx, "tool-"+node.Call.Name, func(ctx context.Context) (string, error) { return execute(ctx, node) }); err != nil { // want `built from node, an element of the list`
				return nil, err // the same tool can be called twice
			}
		}
		for _, node := range g.Nodes {
			if _, err := step.Run(ctx, "node-"+node.ID, func(ctx context.Context) (string, error) { return execute(ctx, node) }); err != nil {
				return nil, err // the node's ID identifies it
			}
		}
		for i, node := range g.Nodes {
			if _, err := step.Run(ctx, fmt.Sprintf("%d-%s", i, node.Type), func(ctx context.Context) (string, error) { return execute(ctx, node) }); err != nil {
				return nil, err // the index makes it unique
			}
		}
		for i := range g.Tags {
			if err := step.Sleep(ctx, "tag-"+strconv.Itoa(i), 0); err != nil {
				return nil, err
			}
		}
		for _, orderID := range g.Tags {
			if err := step.Sleep(ctx, "settle-"+orderID, 0); err != nil {
				return nil, err // named as an identifier
			}
		}
		return nil, nil
	})
