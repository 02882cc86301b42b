package opaeval

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/util"
)

// manifest is one Kubernetes object read from a file.
type manifest struct {
	file   string
	object map[string]any
}

var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// readManifests reads every object of the .yaml, .yml and .json files under the paths (files or directories,
// symbolic links to files followed), in path order. YAML goes through OPA's own YAML-to-JSON conversion.
func readManifests(paths []string) ([]manifest, error) {
	var out []manifest
	for _, root := range paths {
		var files []string
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			ext := filepath.Ext(path)
			if ext != ".yaml" && ext != ".yml" && ext != ".json" {
				return nil
			}
			if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		for _, file := range files {
			objects, err := readFile(file)
			if err != nil {
				return nil, err
			}
			out = append(out, objects...)
		}
	}
	return out, nil
}

func readFile(file string) ([]manifest, error) {
	text, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []manifest
	for i, doc := range documentSeparator.Split(string(text), -1) {
		if len(bytes.TrimSpace(stripComments([]byte(doc)))) == 0 {
			continue
		}
		var value any
		if err := util.Unmarshal([]byte(doc), &value); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
		}
		if value == nil {
			continue
		}
		object, ok := value.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: document %d is not a Kubernetes object", file, i+1)
		}
		out = append(out, manifest{file: file, object: object})
	}
	return out, nil
}

// stripComments drops whole-line YAML comments, so a document of only comments counts as empty.
func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line...)
			out = append(out, '\n')
		}
	}
	return out
}

// at walks nested objects; nil when a step is missing or not an object.
func at(value any, path ...string) any {
	for _, key := range path {
		object, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		value = object[key]
	}
	return value
}

func text(value any, path ...string) string {
	s, _ := at(value, path...).(string)
	return s
}

func strs(value any) []string {
	list, _ := value.([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func group(apiVersion string) string {
	if g, _, found := strings.Cut(apiVersion, "/"); found {
		return g
	}
	return ""
}
