package io.newsincidents.eslocal;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.elasticsearch.Build;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.node.ClasspathNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts one local Elasticsearch node in this JVM and keeps it running until the process is asked to stop
 * (SIGTERM / SIGINT), then closes it cleanly.
 *
 * <p>Settings are given as {@code -Ekey=value} arguments, as with the official {@code bin/elasticsearch};
 * {@code path.home} is required. The defaults below make a loopback-only single-node cluster.
 */
public final class LocalElasticsearch {

    /** Plugins loaded from the class path: HTTP/transport, and the {@code GET /} endpoint. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(Netty4Plugin.class, RootInfoPlugin.class);

    private static final CountDownLatch STOPPED = new CountDownLatch(1);
    private static volatile Node node;

    private LocalElasticsearch() {}

    static Settings defaultSettings() {
        return Settings.builder()
            .put("cluster.name", "news-incidents-local")
            .put("node.name", "local-es")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", "9200")
            .put("transport.port", "9300")
            // The real-memory circuit breaker assumes the JVM options of the official distribution.
            .put("indices.breaker.total.use_real_memory", false)
            // A developer disk that is 90 % full must not turn indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
    }

    static Settings parseArgs(String[] args) {
        Settings.Builder builder = Settings.builder().put(defaultSettings());
        for (String arg : args) {
            if (arg.startsWith("-E") == false || arg.indexOf('=') < 3) {
                throw new IllegalArgumentException("expected -Ekey=value, got [" + arg + "]");
            }
            int eq = arg.indexOf('=');
            builder.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        if (settings.get("path.home") == null) {
            throw new IllegalArgumentException("-Epath.home=<dir> is required");
        }
        return settings;
    }

    public static void main(String[] args) {
        long startNanos = System.nanoTime();
        final Settings settings;
        final Environment environment;
        try {
            LogConfigurator.registerErrorListener();
            settings = parseArgs(args);
            Path home = Path.of(settings.get("path.home")).toAbsolutePath();
            Path configDir = home.resolve("config");
            Files.createDirectories(configDir);
            writeLoggingConfig(configDir);
            environment = new Environment(settings, configDir);
            Files.createDirectories(environment.logsDir());
            for (Path dataDir : environment.dataDirs()) {
                Files.createDirectories(dataDir);
            }
            LogConfigurator.setClusterName(ClusterName.CLUSTER_NAME_SETTING.get(settings).value());
            LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(settings));
            LogConfigurator.configure(environment, true);
        } catch (Exception e) {
            System.err.println("local elasticsearch: cannot prepare the node: " + e);
            e.printStackTrace();
            System.exit(2);
            return;
        }

        Logger logger = LogManager.getLogger(LocalElasticsearch.class);
        Runtime.getRuntime().addShutdownHook(new Thread(LocalElasticsearch::shutdown, "local-es-shutdown"));
        try {
            checkLucene();
            logger.info(
                "starting local Elasticsearch {} (data {}, logs {})",
                Build.current().qualifiedVersion(),
                List.of(environment.dataDirs()),
                environment.logsDir()
            );
            Node started = new ClasspathNode(environment, PLUGINS);
            node = started;
            started.start();
            logger.info("local Elasticsearch started in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        } catch (Throwable t) {
            logger.error("local Elasticsearch failed to start", t);
            // The shutdown hook closes whatever part of the node was built.
            System.exit(1);
            return;
        }

        try {
            STOPPED.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeLoggingConfig(Path configDir) throws IOException {
        Path target = configDir.resolve("log4j2.properties");
        Path tmp = Files.createTempFile(configDir, "log4j2", ".tmp");
        try (InputStream in = LocalElasticsearch.class.getResourceAsStream("/es-local-log4j2.properties")) {
            if (in == null) {
                throw new IOException("resource es-local-log4j2.properties missing from the launcher jar");
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void checkLucene() {
        var expected = IndexVersion.current().luceneVersion();
        var actual = org.apache.lucene.util.Version.LATEST;
        if (expected.equals(actual) == false) {
            throw new IllegalStateException("Elasticsearch expects Lucene " + expected + " but the class path has Lucene " + actual);
        }
    }

    private static void shutdown() {
        Logger logger = LogManager.getLogger(LocalElasticsearch.class);
        Node current = node;
        try {
            if (current != null && current.isClosed() == false) {
                logger.info("stopping local Elasticsearch");
                current.prepareForClose();
                current.close();
                if (current.awaitClose(10, TimeUnit.SECONDS) == false) {
                    logger.warn("node did not stop within 10 seconds");
                }
                logger.info("local Elasticsearch stopped");
            }
        } catch (Exception e) {
            logger.error("error while stopping local Elasticsearch", e);
        } finally {
            STOPPED.countDown();
            Configurator.shutdown((LoggerContext) org.apache.logging.log4j.LogManager.getContext(false));
        }
    }
}
