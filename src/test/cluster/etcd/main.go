// Command etcd is the etcd server, built from go.etcd.io/etcd/server/v3 (etcd's own main package lives in its
// root module, which pins other dependencies than Kubernetes does). It takes etcd's usual flags.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
