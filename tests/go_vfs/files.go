// The file calls Go's tests make on their testdata (issue 13), against a directory mounted with
// `emu run --mount HOST:/src --cwd /src`: getcwd, stat/lstat/fstat, reading, seeking, listing
// directories, globbing, and ENOENT (os.IsNotExist) for what is not there.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	wd, err := os.Getwd()
	fmt.Println("getwd:", wd, err)
	data, err := os.ReadFile("testdata/a.txt")
	fmt.Printf("read: %q %v\n", data, err)
	info, err := os.Stat("testdata/a.txt")
	fmt.Println("stat:", info.Name(), info.Size(), info.Mode(), info.IsDir(), err)
	info, err = os.Lstat("testdata")
	fmt.Println("lstat dir:", info.Name(), info.IsDir(), err)
	matches, err := filepath.Glob("testdata/*.txt")
	fmt.Println("glob:", matches, err)
	entries, err := os.ReadDir("testdata")
	for _, entry := range entries {
		fmt.Println("entry:", entry.Name(), entry.IsDir())
	}
	fmt.Println("readdir:", err)
	file, err := os.Open("/src/testdata/sub/../b.txt")
	if err == nil {
		fileInfo, _ := file.Stat()
		position, _ := file.Seek(2, io.SeekStart)
		rest, _ := io.ReadAll(file)
		fmt.Printf("fstat+seek: %d %d %q\n", fileInfo.Size(), position, rest)
		file.Close()
	}
	_, err = os.Stat("testdata/missing.txt")
	fmt.Println("missing:", os.IsNotExist(err))
	_, err = os.Stat("/etc/passwd")
	fmt.Println("host file:", os.IsNotExist(err))
	err = os.WriteFile("testdata/new.txt", []byte("x"), 0o644)
	fmt.Println("write refused:", err != nil)
}
