// goroutines: four workers sum ranges over channels; the scheduler and futexes at work.
package main

import (
	"fmt"
	"sync"
)

func main() {
	jobs := make(chan int, 16)
	results := make(chan int, 16)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				sum := 0
				for i := 1; i <= n; i++ {
					sum += i
				}
				results <- sum
			}
		}()
	}
	go func() {
		for n := 1; n <= 100; n++ {
			jobs <- n
		}
		close(jobs)
	}()
	go func() { wg.Wait(); close(results) }()
	total := 0
	for r := range results {
		total += r
	}
	fmt.Println("total", total)
}
