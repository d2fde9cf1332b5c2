package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.testsupport.PipelineExtension;

/** Standalone's in-JVM {@link Pipeline} as test-support's {@link PipelineExtension}, with the CLI's client of its gateway. */
final class InJvmPipeline {
    private InJvmPipeline() {}

    /** @param name names the temporary directory and the instance (its groups and state) */
    static PipelineExtension<GatewayClient> extension(String name) {
        return PipelineExtension.start(name, InJvmPipeline::start, GatewayClient::new);
    }

    private static PipelineExtension.Running start(MeshpipeConfig config, ObjectStore store) throws InterruptedException {
        Pipeline pipeline = Pipeline.start(config, store);
        try {
            pipeline.awaitReady(60_000);
        } catch (InterruptedException | RuntimeException e) {
            pipeline.close();
            throw e;
        }
        return new PipelineExtension.Running(pipeline, pipeline.gateway().port());
    }
}
