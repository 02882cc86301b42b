// Command reviews writes the load test's AdmissionReviews: reviews -out DIR 2k 9k 100k 1m writes DIR/9k.json, ...
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/portcullis/bench/reviews"
)

func main() {
	out := flag.String("out", ".", "directory to write SIZE.json into")
	flag.Parse()
	names := flag.Args()
	if len(names) == 0 {
		for _, s := range reviews.Sizes {
			names = append(names, s.Name)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	for _, name := range names {
		size, err := reviews.Lookup(name)
		if err != nil {
			fail(err)
		}
		body, err := reviews.Generate(size)
		if err != nil {
			fail(err)
		}
		if err := os.WriteFile(filepath.Join(*out, name+".json"), body, 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "reviews:", err)
	os.Exit(1)
}
