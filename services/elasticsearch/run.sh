#!/usr/bin/env bash
# Runs a local single-node Elasticsearch in the foreground. The process becomes the JVM (exec),
# so SIGTERM to this PID stops the node cleanly. Extra arguments are passed on as -Ekey=value settings.
#
# Environment (defaults in brackets):
#   ES_HTTP_PORT [9200]  ES_TRANSPORT_PORT [9300]  ES_HEAP [1g]
#   SERVICES_CACHE [$HOME/.cache/news-incidents/services]
#   ES_DATA_DIR [$SERVICES_CACHE/data/elasticsearch]   (may be wiped between runs)
#   ES_LOG_DIR [$SERVICES_CACHE/logs/elasticsearch]
#   ES_HOME_DIR [$SERVICES_CACHE/elasticsearch-<version>/home]   (config written by the launcher)
#   ES_CLUSTER_NAME [news-incidents-local]
#   ES_JAVA_HOME [/usr/lib/jvm/temurin-25-jdk-amd64, else a JDK >= 21 under /usr/lib/jvm]
#   ES_JAVA_OPTS [] extra JVM options
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"

"$here/build.sh"
es_find_java

ES_HTTP_PORT="${ES_HTTP_PORT:-9200}"
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-9300}"
ES_HEAP="${ES_HEAP:-1g}"
ES_DATA_DIR="${ES_DATA_DIR:-$SERVICES_CACHE/data/elasticsearch}"
ES_LOG_DIR="${ES_LOG_DIR:-$SERVICES_CACHE/logs/elasticsearch}"
ES_HOME_DIR="${ES_HOME_DIR:-$ES_INSTALL_DIR/home}"
ES_CLUSTER_NAME="${ES_CLUSTER_NAME:-news-incidents-local}"
mkdir -p "$ES_DATA_DIR" "$ES_LOG_DIR" "$ES_HOME_DIR"

jvm_opts=(
    "-Xms$ES_HEAP" "-Xmx$ES_HEAP" -Xss1m -XX:+UseG1GC
    -XX:-OmitStackTraceInFastThrow
    "-XX:ErrorFile=$ES_LOG_DIR/hs_err_pid%p.log"
    -Dfile.encoding=UTF-8 -Djava.awt.headless=true -Djava.locale.providers=CLDR
    -Des.networkaddress.cache.ttl=60 -Des.networkaddress.cache.negative.ttl=10
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true -Dio.netty.recycler.maxCapacityPerThread=0
    # The launcher stops logging itself after the node has closed.
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true
    # Elasticsearch and Lucene call native code through the FFM API (class path = unnamed module).
    --enable-native-access=ALL-UNNAMED
    # Lucene's SIMD vector code, as in the official distribution.
    --add-modules=jdk.incubator.vector
    # libvec (native vector similarity) ships only with the official distribution.
    -Dorg.elasticsearch.nativeaccess.enableVectorLibrary=false
)

# Elasticsearch's native layer wants <dir>/linux-x64/libzstd.so (shipped in the official distribution,
# not on Maven Central). Point it at the system libzstd when there is one; without it the node still
# runs, with native features (zstd, mlockall) disabled.
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64) platform=linux-aarch64 ;;
    *) platform="" ;;
esac
zstd=""
if [ -n "$platform" ]; then
    for candidate in /lib/x86_64-linux-gnu/libzstd.so.1 /usr/lib/x86_64-linux-gnu/libzstd.so.1 \
        /lib/aarch64-linux-gnu/libzstd.so.1 /usr/lib/aarch64-linux-gnu/libzstd.so.1 \
        /usr/lib64/libzstd.so.1 /lib64/libzstd.so.1 /usr/lib/libzstd.so.1; do
        if [ -e "$candidate" ]; then zstd="$candidate"; break; fi
    done
fi
if [ -n "$zstd" ]; then
    native_dir="$ES_INSTALL_DIR/native"
    mkdir -p "$native_dir/$platform"
    if [ "$(readlink "$native_dir/$platform/libzstd.so" 2>/dev/null)" != "$zstd" ]; then
        ln -sfn "$zstd" "$native_dir/$platform/libzstd.so"
    fi
    jvm_opts+=("-Des.nativelibs.path=$native_dir/$platform")
fi

# Optional extra JVM options, split on whitespace.
# shellcheck disable=SC2206
extra_opts=(${ES_JAVA_OPTS:-})

exec "$ES_JAVA_HOME/bin/java" "${jvm_opts[@]}" "${extra_opts[@]}" \
    -cp "$ES_LIB_DIR/*" io.newsincidents.eslocal.LocalElasticsearch \
    "-Epath.home=$ES_HOME_DIR" \
    "-Epath.data=$ES_DATA_DIR" \
    "-Epath.logs=$ES_LOG_DIR" \
    "-Ecluster.name=$ES_CLUSTER_NAME" \
    "-Ehttp.port=$ES_HTTP_PORT" \
    "-Etransport.port=$ES_TRANSPORT_PORT" \
    "$@"
