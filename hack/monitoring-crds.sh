#!/usr/bin/env bash
# Fetch the Prometheus Operator's ServiceMonitor and PrometheusRule CRDs, pinned, into a
# versioned cache directory outside the repository, and print that directory. The chart's
# observability switches render objects of these kinds; the tests install the CRDs into the
# local control plane before a server-side dry run of them. They ship in the Go module
# github.com/prometheus-operator/prometheus-operator (example/prometheus-operator-crd/),
# fetched with `go mod download`; a warm call costs nothing.
set -euo pipefail

VERSION=v0.85.0
MODULE=github.com/prometheus-operator/prometheus-operator
FILES=(monitoring.coreos.com_servicemonitors.yaml monitoring.coreos.com_prometheusrules.yaml)

cache_root=${OUTBOUND_SCHEDULER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/outbound-scheduler}
dir=$cache_root/prometheus-operator-$VERSION/crds
if [ -f "$dir/.ready" ]; then
  echo "$dir"
  exit 0
fi

mkdir -p "$dir"
exec 9>"$cache_root/monitoring-crds.lock"
flock 9
if [ ! -f "$dir/.ready" ]; then
  echo "monitoring CRDs: go mod download $MODULE@$VERSION" >&2
  # Outside any module, so no go.mod of the caller's is read or changed.
  module_dir=$(cd "$cache_root" && GOFLAGS=-mod=mod GOTOOLCHAIN=local \
    go mod download -json "$MODULE@$VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  for name in "${FILES[@]}"; do
    install -m 0644 "$module_dir/example/prometheus-operator-crd/$name" "$dir/$name"
  done
  touch "$dir/.ready"
fi
echo "$dir"
