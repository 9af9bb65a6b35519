// Command etcd is the etcd server: go.etcd.io/etcd/server/v3 publishes the server as the etcdmain
// package, and the upstream `etcd` binary is this one call.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
