package org.elasticsearch.node;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Node} whose plugins are classes on the application class path.
 *
 * <p>Lives in {@code org.elasticsearch.node} because {@link NodeConstruction}, {@link NodeServiceProvider}
 * and the {@code Node(NodeConstruction)} constructor are package-private. Their signatures are those of the
 * Elasticsearch version pinned in pom.xml.
 */
public class ClasspathNode extends Node {

    public ClasspathNode(Environment environment, List<Class<? extends Plugin>> pluginClasses) {
        super(
            NodeConstruction.prepareConstruction(
                environment,
                PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false),
                new ClasspathServiceProvider(pluginClasses),
                true
            )
        );
    }

    private static final class ClasspathServiceProvider extends NodeServiceProvider {
        private final List<Class<? extends Plugin>> pluginClasses;

        ClasspathServiceProvider(List<Class<? extends Plugin>> pluginClasses) {
            this.pluginClasses = List.copyOf(pluginClasses);
        }

        @Override
        PluginsService newPluginService(Environment initialEnvironment, PluginsLoader pluginsLoader) {
            return new ClasspathPluginsService(initialEnvironment.settings(), initialEnvironment.configDir(), pluginClasses);
        }
    }
}
