#!/usr/bin/env bash
# Build the local control plane's binaries from pinned Go modules into a
# versioned cache directory outside the repository, and print that directory.
#
#   hack/build-control-plane.sh [binary ...]
#
# Binaries: etcd kube-apiserver kubectl kube-controller-manager helm; the
# default is the three every Kubernetes test needs. A binary already in the
# cache is never rebuilt, so a warm call costs nothing. k8s.io/kubernetes
# cannot be `go install`ed (its go.mod points staging modules at local paths),
# so each build goes through a throw-away consumer module that pins them.
set -euo pipefail

K8S_VERSION=v1.37.2
STAGING_VERSION=v0.37.2
ETCD_VERSION=v3.6.16
HELM_VERSION=v4.3.2

cache_root=${OUTBOUND_SCHEDULER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/outbound-scheduler}
bin_dir=$cache_root/k8s-$K8S_VERSION/bin
src_dir=$cache_root/k8s-$K8S_VERSION/src
mkdir -p "$bin_dir" "$src_dir"

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(etcd kube-apiserver kubectl)

missing=()
for name in "${wanted[@]}"; do
  [ -x "$bin_dir/$name" ] || missing+=("$name")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$bin_dir"
  exit 0
fi

# One build at a time: a test run and `make run` may ask together.
exec 9>"$cache_root/build.lock"
flock 9

export GOFLAGS=-mod=mod GOTOOLCHAIN=local
log() { echo "control plane: $*" >&2; }

version_ldflags() {
  local flags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1"
    flags+=" -X $pkg.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
    flags+=" -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

prepare_kubernetes_module() {
  local dir=$src_dir/kubernetes
  [ -f "$dir/.ready" ] && return
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"
  log "resolving k8s.io/kubernetes@$K8S_VERSION modules"
  go mod init outbound-scheduler.local/control-plane >/dev/null 2>&1
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  grep -oE '^\s*k8s\.io/[A-Za-z0-9._-]+ => \./staging' "$gomod" | awk '{print $1}' \
    | while read -r mod; do
        go mod edit -replace "$mod=$mod@$STAGING_VERSION"
      done
  go mod edit -require "k8s.io/kubernetes@$K8S_VERSION"
  for cmd in kube-apiserver kubectl kube-controller-manager; do
    go get -tool "k8s.io/kubernetes/cmd/$cmd@$K8S_VERSION" >&2
  done
  touch .ready
}

build_kubernetes() {
  local name=$1
  prepare_kubernetes_module
  cd "$src_dir/kubernetes"
  log "building $name $K8S_VERSION (minutes on a cold cache)"
  CGO_ENABLED=0 go build -trimpath -ldflags "$(version_ldflags)" \
    -o "$bin_dir/$name.tmp" "k8s.io/kubernetes/cmd/$name"
  mv "$bin_dir/$name.tmp" "$bin_dir/$name"
}

build_module_main() {
  # A standalone consumer module for a tool whose own go.mod cannot be installed.
  local name=$1 module=$2 version=$3 package=$4
  local dir=$src_dir/$name
  mkdir -p "$dir" && cd "$dir"
  [ -f go.mod ] || go mod init "outbound-scheduler.local/$name" >/dev/null 2>&1
  log "building $name $version"
  go get -tool "$package@$version" >&2
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin_dir/$name.tmp" "$package"
  mv "$bin_dir/$name.tmp" "$bin_dir/$name"
}

for name in "${missing[@]}"; do
  [ -x "$bin_dir/$name" ] && continue
  case $name in
    kube-apiserver|kubectl|kube-controller-manager) build_kubernetes "$name" ;;
    etcd) build_module_main etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 ;;
    helm) build_module_main helm helm.sh/helm/v4 "$HELM_VERSION" helm.sh/helm/v4/cmd/helm ;;
    *) echo "unknown binary: $name (known: etcd kube-apiserver kubectl kube-controller-manager helm)" >&2; exit 2 ;;
  esac
done
echo "$bin_dir"
