# Shared by build.sh and run.sh (sourced, not executed).

ES_SERVICE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICES_CACHE="${SERVICES_CACHE:-$HOME/.cache/news-incidents/services}"
ES_VERSION="$(sed -n 's:.*<es.version>\(.*\)</es.version>.*:\1:p' "$ES_SERVICE_DIR/pom.xml" | awk 'NR == 1')"
if [ -z "$ES_VERSION" ]; then
    echo "elasticsearch: cannot read <es.version> from $ES_SERVICE_DIR/pom.xml" >&2
    exit 1
fi
ES_INSTALL_DIR="$SERVICES_CACHE/elasticsearch-$ES_VERSION"
ES_LIB_DIR="$ES_INSTALL_DIR/lib"
ES_MARKER="$ES_INSTALL_DIR/.build-complete"
ES_MIN_JAVA=21

# Major version of the JDK at $1 (from its release file, else by asking java), or 0.
es_java_major() {
    local home="$1" version=""
    [ -x "$home/bin/java" ] || { echo 0; return; }
    if [ -r "$home/release" ]; then
        version="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")"
    fi
    if [ -z "$version" ]; then
        version="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | awk 'NR == 1')"
    fi
    version="${version#1.}"
    version="${version%%[.+-]*}"
    case "$version" in
        '' | *[!0-9]*) echo 0 ;;
        *) echo "$version" ;;
    esac
}

# Sets ES_JAVA_HOME to a JDK >= 21: $ES_JAVA_HOME, then Temurin 25, then the newest JDK under
# /usr/lib/jvm, then $JAVA_HOME, then the java on PATH.
es_find_java() {
    local candidate best="" best_major=0 major
    if [ -n "${ES_JAVA_HOME:-}" ]; then
        if [ "$(es_java_major "$ES_JAVA_HOME")" -ge "$ES_MIN_JAVA" ]; then
            return 0
        fi
        echo "elasticsearch: ES_JAVA_HOME=$ES_JAVA_HOME is not a JDK >= $ES_MIN_JAVA" >&2
        exit 1
    fi
    if [ "$(es_java_major /usr/lib/jvm/temurin-25-jdk-amd64)" -ge "$ES_MIN_JAVA" ]; then
        ES_JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
        return 0
    fi
    for candidate in /usr/lib/jvm/* "${JAVA_HOME:-}"; do
        [ -n "$candidate" ] && [ -d "$candidate" ] || continue
        major="$(es_java_major "$candidate")"
        if [ "$major" -ge "$ES_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
            best="$candidate"
            best_major="$major"
        fi
    done
    if [ -z "$best" ] && command -v java >/dev/null 2>&1; then
        candidate="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
        if [ "$(es_java_major "$candidate")" -ge "$ES_MIN_JAVA" ]; then
            best="$candidate"
        fi
    fi
    if [ -z "$best" ]; then
        echo "elasticsearch: no JDK >= $ES_MIN_JAVA found (set ES_JAVA_HOME)" >&2
        exit 1
    fi
    ES_JAVA_HOME="$best"
}

# Hash of everything the built lib/ folder depends on.
es_build_hash() {
    (
        cd "$ES_SERVICE_DIR"
        { echo "pom"; cat pom.xml; find src -type f | LC_ALL=C sort | xargs cat; } | sha256sum | cut -d' ' -f1
    )
}
