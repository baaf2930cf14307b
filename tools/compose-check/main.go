// compose-check validates docker-compose files with compose-go, the loader Docker Compose itself
// uses: the Compose specification's schema, interpolation, and references between services.
//
//	go run . ../../docker-compose.yml
//	COMPOSE_PROFILES=secure go run . ../../docker-compose.yml   (with the services of a profile)
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE [FILE...]")
		os.Exit(2)
	}
	workdir := filepath.Dir(os.Args[1])
	options, err := cli.NewProjectOptions(
		os.Args[1:],
		cli.WithName("news-incidents"),
		cli.WithWorkingDirectory(workdir),
		cli.WithOsEnv,
		cli.WithDefaultProfiles(),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compose-check:", err)
		os.Exit(1)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "compose-check: invalid:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Printf("compose-check: valid, %d services: %v\n", len(names), names)
}
