// preempt: a goroutine spinning without calls is stopped by asynchronous preemption
// (sysmon -> tgkill(SIGURG) -> signal handler -> asyncPreempt) so main gets the only P back.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

var counter uint64

//go:noinline
func spin() {
	for {
		atomic.AddUint64(&counter, 1)
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	go spin()
	time.Sleep(time.Millisecond)
	fmt.Println("main ran again after the spinning goroutine was preempted:", atomic.LoadUint64(&counter) > 0)
}
