// Command yaml-parity reads YAML documents separated by "\n---\n" on stdin and prints each as
// JSON on its own line, through sigs.k8s.io/yaml's YAMLToJSON: the decoding kubectl applies to
// a manifest. A document that does not decode prints "error". The policy loader's tests compare
// their own reading of plain scalars with these lines (__tests__/e2e/yaml-parity.test.ts).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"
)

// maxInput bounds what one run reads: the test's table is a few KiB.
const maxInput = 16 << 20

func main() {
	in, err := io.ReadAll(io.LimitReader(os.Stdin, maxInput))
	if err != nil {
		fmt.Fprintln(os.Stderr, "yaml-parity: reading stdin:", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, doc := range strings.Split(string(in), "\n---\n") {
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			fmt.Fprintln(out, "error")
			continue
		}
		fmt.Fprintln(out, string(j))
	}
}
