# Shared helpers for the local-service scripts. Sourced, not executed.
# shellcheck shell=bash

: "${SERVICES_CACHE:=$HOME/.cache/news-incidents/services}"
export SERVICES_CACHE

# Prints the path of a JDK whose major version is at least $1, preferring $2 when it qualifies.
find_jdk() {
    local min=$1 preferred=${2:-} candidate major
    for candidate in "$preferred" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
        major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 \
            | awk -F'= ' '/java.specification.version/ {print $2}')
        major=${major%%.*}
        if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "no JDK >= $min found (set JAVA_HOME)" >&2
    return 1
}

# Copies the runtime dependencies of a dependency-only pom into $2, once per pom content.
resolve_jars() {
    local pom=$1 dest=$2 stamp
    stamp=$(sha256sum "$pom" | cut -c1-16)
    if [ -f "$dest/.complete-$stamp" ]; then
        return 0
    fi
    rm -rf "$dest"
    mkdir -p "$dest"
    mvn -B -q -f "$pom" \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$dest" >&2
    touch "$dest/.complete-$stamp"
}
