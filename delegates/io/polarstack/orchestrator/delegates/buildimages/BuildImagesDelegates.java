package io.polarstack.orchestrator.delegates.buildimages;

import java.util.LinkedHashMap;
import java.util.Map;

import io.polarstack.orchestrator.ImageBuildProperties;
import io.polarstack.orchestrator.flows.IdList;
import io.polarstack.orchestrator.ports.ImageBuilder;
import io.polarstack.orchestrator.ports.SourceRepository;

/**
 * The BuildImages beans by the names the model uses, for engines without Spring: the {@code image build}
 * command and the process tests. Spring finds the same classes as components.
 */
public final class BuildImagesDelegates {

    private BuildImagesDelegates() {
    }

    public static Map<String, Object> beans(ImageBuilder builder, SourceRepository sources, ImageBuildProperties properties) {
        Map<String, Object> beans = new LinkedHashMap<>();
        beans.put("ids", new IdList());
        beans.put("loadImageFileDelegate", new LoadImageFileDelegate(properties));
        beans.put("fetchEngineSourceDelegate", new FetchEngineSourceDelegate(sources));
        beans.put("prepareEngineContextDelegate", new PrepareEngineContextDelegate(sources, properties));
        beans.put("buildEngineImageDelegate", new BuildEngineImageDelegate(builder, sources, properties));
        beans.put("pushEngineImageDelegate", new PushEngineImageDelegate(builder, properties));
        beans.put("prepareManagerContextDelegate", new PrepareManagerContextDelegate(sources, properties));
        beans.put("buildManagerImageDelegate", new BuildManagerImageDelegate(builder, sources, properties));
        beans.put("pushManagerImageDelegate", new PushManagerImageDelegate(builder, properties));
        beans.put("writeImageResultDelegate", new WriteImageResultDelegate());
        return beans;
    }
}
