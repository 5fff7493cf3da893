// hello: the smallest Go program; exercises runtime start-up and write.
package main

import "os"

func main() {
	os.Stdout.WriteString("hello, world\n")
}
