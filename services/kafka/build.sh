#!/usr/bin/env bash
# Resolves the Kafka broker jars from Maven Central into the services cache (once; then a no-op).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"
resolve_jars "$here/pom.xml" "$SERVICES_CACHE/kafka/lib"
