// atomics: the runtime's check() cases through sync/atomic, then a contended counter.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

func main() {
	var z uint32 = 0xffffffff
	fmt.Println("cas 0xffffffff", atomic.CompareAndSwapUint32(&z, 0xffffffff, 0xfffffffe), z == 0xfffffffe)
	var z64 uint64 = 42
	fmt.Println("cas64", atomic.CompareAndSwapUint64(&z64, 0, 1), atomic.CompareAndSwapUint64(&z64, 42, 1))
	atomic.StoreUint64(&z64, (1<<40)+1)
	fmt.Println("xadd64", atomic.AddUint64(&z64, (1<<40)+1) == (2<<40)+2)
	fmt.Println("xchg64", atomic.SwapUint64(&z64, (3<<40)+3) == (2<<40)+2)
	var counter int64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10000; i++ {
				atomic.AddInt64(&counter, 1)
			}
		}()
	}
	wg.Wait()
	fmt.Println("counter", atomic.LoadInt64(&counter))
}
