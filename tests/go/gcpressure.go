// gcpressure: allocate many small objects while a linked list stays alive across GCs.
package main

import (
	"fmt"
	"runtime"
)

type node struct {
	next  *node
	value int
	pad   [4]int
}

func main() {
	var head *node
	for i := 0; i < 1000; i++ {
		head = &node{next: head, value: i}
	}
	garbage := 0
	for round := 0; round < 200000; round++ {
		n := &node{value: round}
		garbage += n.value & 1
	}
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	sum, count := 0, 0
	for n := head; n != nil; n = n.next {
		sum += n.value
		count++
	}
	fmt.Println("list", count, sum, "garbage", garbage, "gc ran", stats.NumGC > 0)
}
