package catalog

import (
	"gopkg.in/yaml.v3"
)

// Limits on the shape of a catalog. A catalog is trusted more than network
// input but is still read by tools (durable generate, durable lint, editors'
// language servers) that must not hang or exhaust memory on a bad file, nor
// emit code that no reader can follow.
const (
	// MaxNesting is the deepest JSON nesting of an event's data or a named
	// type: each inline object, list and map level counts one, the data
	// object itself included.
	MaxNesting = 32

	// Aliases may make the decoder visit at most
	// max(aliasBudgetFloor, aliasBudgetRatio × document nodes) nodes through
	// aliases, so that decoding costs at most a small multiple of the file
	// size. Without a budget, a few hundred bytes of nested aliases expand
	// to billions of nodes (the "billion laughs"). As in Kubernetes' YAML
	// decoding, the budget is relative to the document size, so that a big
	// catalog that reuses values through aliases still decodes.
	aliasBudgetFloor = 10_000
	aliasBudgetRatio = 4
)

// checkAliases reports an alias whose expansion contains itself, or that
// takes the nodes reached through aliases over the budget. The decoder
// follows aliases recursively, so it must only see a document that passes.
func (d *decoder) checkAliases(root *yaml.Node) bool {
	nodes := countNodes(root)
	budget := max(aliasBudgetFloor, aliasBudgetRatio*nodes)
	reached := 0
	expanding := map[*yaml.Node]bool{}
	// top is the outermost alias being expanded: the one in the document
	// that the expansion comes from, named in the error.
	var top *yaml.Node
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if top != nil {
			reached++
			if reached > budget {
				d.errorf(top, "the alias *%s expands past the budget of %d nodes reached through aliases (the larger of %d and %d× the document's %d nodes); use fewer nested aliases",
					top.Value, budget, aliasBudgetFloor, aliasBudgetRatio, nodes)
				return false
			}
		}
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return true
			}
			if expanding[n.Alias] {
				d.errorf(n, "the alias *%s refers to a value that contains it (anchor &%s at %d:%d); a catalog cannot be recursive", n.Value, n.Alias.Anchor, n.Alias.Line, n.Alias.Column)
				return false
			}
			outermost := top == nil
			if outermost {
				top = n
			}
			expanding[n.Alias] = true
			ok := walk(n.Alias)
			delete(expanding, n.Alias)
			if outermost {
				top = nil
			}
			return ok
		}
		if n.Anchor != "" {
			// An anchored value may hold an alias to itself even when
			// reached without an alias.
			expanding[n] = true
			defer delete(expanding, n)
		}
		for _, c := range n.Content {
			if !walk(c) {
				return false
			}
		}
		return true
	}
	return walk(root)
}

// countNodes counts the nodes of a document, without following aliases.
func countNodes(n *yaml.Node) int {
	count := 1
	for _, c := range n.Content {
		count += countNodes(c)
	}
	return count
}
