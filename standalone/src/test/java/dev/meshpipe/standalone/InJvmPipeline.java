package dev.meshpipe.standalone;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.gateway.GatewayOptions;
import dev.meshpipe.testsupport.PipelineExtension;

/** Standalone's in-JVM {@link Pipeline} as test-support's {@link PipelineExtension}, with the CLI's client of its gateway. */
final class InJvmPipeline {
    private InJvmPipeline() {}

    /** @param name names the temporary directory and the instance (its groups and state) */
    static PipelineExtension<GatewayClient> extension(String name) {
        return PipelineExtension.start(name, InJvmPipeline::start, GatewayClient::new);
    }

    /** With the gateway's options (tokens, link secret) and the topics' partitions. */
    static PipelineExtension<GatewayClient> extension(String name, int partitions, GatewayOptions options) {
        return PipelineExtension.start(name, partitions, (config, store) -> running(Pipeline.start(config, options, store)), GatewayClient::new);
    }

    private static PipelineExtension.Running start(MeshpipeConfig config, ObjectStore store) throws InterruptedException {
        return running(Pipeline.start(config, store));
    }

    private static PipelineExtension.Running running(Pipeline pipeline) throws InterruptedException {
        try {
            pipeline.awaitReady(60_000);
        } catch (InterruptedException | RuntimeException e) {
            pipeline.close();
            throw e;
        }
        return new PipelineExtension.Running(pipeline, pipeline.gateway().port());
    }
}
