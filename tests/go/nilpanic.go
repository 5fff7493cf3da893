// nilpanic: a nil dereference (SIGSEGV delivered to Go's handler) is recovered.
package main

import "fmt"

type T struct{ x int }

//go:noinline
func deref(p *T) int { return p.x }

func main() {
	defer func() {
		fmt.Println("recovered:", recover())
	}()
	var p *T
	fmt.Println(deref(p))
}
