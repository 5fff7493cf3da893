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
	// Sleep until spin has run. With one P, spin never yields, so main runs again only
	// after spin is preempted: the line below prints true or the program never ends. (Checking
	// the counter once after one sleep made qemu-user's answer depend on the host's load.)
	for atomic.LoadUint64(&counter) == 0 {
		time.Sleep(time.Millisecond)
	}
	fmt.Println("main ran again after the spinning goroutine was preempted:", atomic.LoadUint64(&counter) > 0)
}
