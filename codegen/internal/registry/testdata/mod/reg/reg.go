// Package reg is where the test puts the registry.
package reg
