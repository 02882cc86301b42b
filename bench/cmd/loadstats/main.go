// Command loadstats reads "vegeta encode -to json" lines on stdin and prints their loadstats.Summary as JSON.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/portcullis/bench/loadstats"
)

func main() {
	late := flag.Duration("late", 5*time.Second, "answers slower than this count as late (the webhook's timeoutSeconds)")
	flag.Parse()
	summary, err := loadstats.Summarize(os.Stdin, *late)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadstats:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(summary); err != nil {
		fmt.Fprintln(os.Stderr, "loadstats:", err)
		os.Exit(1)
	}
}
