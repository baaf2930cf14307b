#!/usr/bin/env bash
# Runs a single-node Apache Kafka (KRaft, combined broker + controller) in the foreground.
#
# Environment (defaults in brackets):
#   KAFKA_PORT [9092]             client listener on 127.0.0.1
#   KAFKA_CONTROLLER_PORT [9093]  controller listener on 127.0.0.1
#   KAFKA_HEAP [512m]             JVM heap
#   KAFKA_DATA_DIR [$SERVICES_CACHE/data/kafka]  log.dirs; formatted on first start
#   KAFKA_LOG_DIR [$SERVICES_CACHE/logs]         broker log file (kafka.log)
#   KAFKA_JAVA_HOME               JDK to use (any JDK >= 17)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib.sh
. "$here/../lib.sh"

port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-9093}
heap=${KAFKA_HEAP:-512m}
data_dir=${KAFKA_DATA_DIR:-$SERVICES_CACHE/data/kafka}
log_dir=${KAFKA_LOG_DIR:-$SERVICES_CACHE/logs}
java_home=$(find_jdk 17 "${KAFKA_JAVA_HOME:-}")

"$here/build.sh"
mkdir -p "$data_dir" "$log_dir"

config="$data_dir/server.properties"
cat > "$config" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:${controller_port}
log.dirs=${data_dir}/logs
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
message.max.bytes=1048588
log.retention.hours=168
PROPS

cat > "$data_dir/log4j2.properties" <<PROPS
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${log_dir}/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
PROPS

classpath="$SERVICES_CACHE/kafka/lib/*"
java_opts=(-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$data_dir/log4j2.properties")

# A fresh data folder is formatted once with a new cluster id (22 chars of URL-safe base64).
if [ ! -f "$data_dir/logs/meta.properties" ]; then
    cluster_id=$(python3 -c 'import base64, uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode()[:22])')
    "$java_home/bin/java" "${java_opts[@]}" -cp "$classpath" kafka.tools.StorageTool \
        format --standalone -t "$cluster_id" -c "$config" >>"$log_dir/kafka-format.log" 2>&1
fi

exec "$java_home/bin/java" "${java_opts[@]}" -cp "$classpath" kafka.Kafka "$config"
