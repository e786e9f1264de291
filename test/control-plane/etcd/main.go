// etcd for the cluster suite. The etcd binary's own main package lives in the root module
// go.etcd.io/etcd/v3, which the Go module proxy does not serve; its main.go is this one
// call (go.etcd.io/etcd, tag v3.6.17, main.go: `etcdmain.Main(os.Args)`).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
