#!/usr/bin/env bash
# Builds the local Elasticsearch launcher and gathers its runtime jars into
#   $SERVICES_CACHE/elasticsearch-<version>/lib/
# Idempotent: does nothing when that folder holds a completed build of the same pom.xml and sources.
# Needs Maven and a JDK >= 21 (ES_JAVA_HOME, default Temurin 25); downloads from Maven Central
# into ~/.m2 on the first run. No build output is written to the source tree.
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

hash="$(es_build_hash)"
if [ -f "$ES_MARKER" ] && [ "$(cat "$ES_MARKER")" = "$hash" ] && [ -d "$ES_LIB_DIR" ]; then
    exit 0
fi

mkdir -p "$ES_INSTALL_DIR"
# One build at a time, even if several nodes are started together.
exec 9>"$ES_INSTALL_DIR/.build.lock"
flock 9
if [ -f "$ES_MARKER" ] && [ "$(cat "$ES_MARKER")" = "$hash" ] && [ -d "$ES_LIB_DIR" ]; then
    exit 0
fi

command -v mvn >/dev/null 2>&1 || { echo "elasticsearch: mvn (Maven) is required to build" >&2; exit 1; }
es_find_java

work="$(mktemp -d "$ES_INSTALL_DIR/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "elasticsearch: building launcher for Elasticsearch $ES_VERSION into $ES_LIB_DIR" >&2
maven_opts="${MAVEN_OPTS:-}"
if [ "$(es_java_major "$ES_JAVA_HOME")" -ge 24 ]; then
    # Maven's bundled Guava calls sun.misc.Unsafe; keep JDK 24+ from warning about it.
    maven_opts="$maven_opts --sun-misc-unsafe-memory-access=allow"
fi
run_maven() {
    # -U: do not trust "not found" results cached in ~/.m2 by an earlier failed download.
    JAVA_HOME="$ES_JAVA_HOME" MAVEN_OPTS="$maven_opts" mvn -B -q -U -Dstyle.color=never \
        -f "$ES_SERVICE_DIR/pom.xml" \
        -Dbuild.dir="$work/target" \
        package \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DincludeScope=runtime \
        -DoutputDirectory="$work/lib" \
        >"$work/mvn.log" 2>&1
}
if ! run_maven; then
    echo "elasticsearch: build failed, retrying once" >&2
    sleep 2
    if ! run_maven; then
        cat "$work/mvn.log" >&2
        echo "elasticsearch: build failed" >&2
        exit 1
    fi
fi

cp "$work/target/es-local-node-$ES_VERSION.jar" "$work/lib/"
rm -f "$ES_MARKER"
rm -rf "$ES_LIB_DIR"
mv "$work/lib" "$ES_LIB_DIR"
echo "$hash" > "$ES_MARKER"
echo "elasticsearch: $(ls "$ES_LIB_DIR" | wc -l) jars in $ES_LIB_DIR" >&2
