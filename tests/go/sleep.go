// sleep: time.Sleep and the monotonic clock (nanosleep, futex timeouts, clock_gettime).
package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	time.Sleep(10 * time.Millisecond)
	fmt.Println("slept at least 10ms:", time.Since(start) >= 10*time.Millisecond)
}
