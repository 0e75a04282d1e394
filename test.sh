#!/usr/bin/env bash
# Runs masthead's whole test suite with the real parts it needs: headless Chromium
# for the web pages, mailpit as a real mail server, and PostgreSQL when reachable on
# 127.0.0.1:5432. Missing pieces are installed first (Chromium from Debian's
# packages, mailpit with `go install`). Besides the tests it runs go vet and
# staticcheck, and the allocation tests once more without -race.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH)/bin"

if ! command -v chromium >/dev/null 2>&1; then
	echo "installing chromium (Debian package) for the browser tests..."
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	else
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	fi
fi
if ! command -v mailpit >/dev/null 2>&1; then
	echo "installing mailpit (go install) for the end-to-end mail tests..."
	go install github.com/axllent/mailpit@v1.33.1
fi
if [ -z "${MASTHEAD_TEST_POSTGRES:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
	psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'masthead_test'" | grep -q 1 ||
		psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE masthead_test"
	export MASTHEAD_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/masthead_test?sslmode=disable"
fi

go vet ./...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
go test -race -count=1 -timeout 20m ./... "$@"
# Allocation counts are only meaningful without the race detector, which
# allocates on its own (those tests skip themselves under -race): run them
# again, without it, in the packages that have them.
alloc_pkgs=$(grep -rl --include='*_test.go' 'testing.AllocsPerRun' . | xargs -n1 dirname | sort -u)
go test -count=1 -run 'Allocs$' $alloc_pkgs
