package org.elasticsearch.plugins;

import org.elasticsearch.Build;
import org.elasticsearch.action.admin.cluster.node.info.PluginsAndModules;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.plugins.spi.SPIClassIterator;

import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PluginsService} whose plugins are plain classes on the application class path instead of
 * bundles under {@code modules/} and {@code plugins/}.
 *
 * <p>Lives in {@code org.elasticsearch.plugins} because {@link PluginsService.LoadedPlugin},
 * {@link PluginsService#loadPlugin} and {@link PluginsService#loadExtensions} are package-private.
 */
public final class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> classpathPlugins;
    private final PluginsAndModules classpathInfo;

    public ClasspathPluginsService(Settings settings, Path configDir, List<Class<? extends Plugin>> pluginClasses) {
        // The parent loads bundles from an empty loader: nothing is read from disk.
        super(settings, configDir, emptyLoader());
        List<LoadedPlugin> loaded = new ArrayList<>(pluginClasses.size());
        List<PluginDescriptor> descriptors = new ArrayList<>(pluginClasses.size());
        for (Class<? extends Plugin> pluginClass : pluginClasses) {
            PluginDescriptor descriptor = new PluginDescriptor(
                pluginClass.getSimpleName(),
                "classpath plugin " + pluginClass.getName(),
                Build.current().version(),
                Build.current().version(),
                Integer.toString(Runtime.version().feature()),
                pluginClass.getName(),
                null,
                List.of(),
                false,
                false,
                false,
                false,
                PluginDescriptor.DeploymentTarget.ALL
            );
            Plugin instance = loadPlugin(pluginClass, settings, configDir);
            loaded.add(new LoadedPlugin(descriptor, instance, pluginClass.getClassLoader()));
            descriptors.add(descriptor);
        }
        loadExtensions(loaded);
        this.classpathPlugins = List.copyOf(loaded);
        // Report them as modules, as the official distribution does for its bundled modules.
        this.classpathInfo = new PluginsAndModules(List.of(), descriptors);
    }

    private static PluginsLoader emptyLoader() {
        return PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false);
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return classpathPlugins;
    }

    @Override
    public PluginsAndModules info() {
        return classpathInfo;
    }

    /**
     * All classpath plugins share one class loader, so the SPI lookup the parent performs once per plugin
     * would find every provider once per plugin. Instantiate each provider class exactly once, handing it
     * the plugin its constructor asks for (if any).
     */
    @Override
    public <T> List<? extends T> loadServiceProviders(Class<T> service) {
        Map<Class<?>, T> providers = new LinkedHashMap<>();
        for (LoadedPlugin plugin : classpathPlugins) {
            SPIClassIterator<T> classes = SPIClassIterator.get(service, plugin.instance().getClass().getClassLoader());
            while (classes.hasNext()) {
                Class<? extends T> providerClass = classes.next();
                if (providers.containsKey(providerClass) || acceptsPlugin(providerClass, plugin.instance()) == false) {
                    continue;
                }
                providers.put(providerClass, createExtension(providerClass, service, plugin.instance()));
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(providers.values()));
    }

    private static boolean acceptsPlugin(Class<?> providerClass, Plugin plugin) {
        for (Constructor<?> constructor : providerClass.getConstructors()) {
            if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0].isInstance(plugin) == false) {
                return false;
            }
        }
        return true;
    }
}
