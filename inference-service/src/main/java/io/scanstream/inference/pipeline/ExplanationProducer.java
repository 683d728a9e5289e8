package io.scanstream.inference.pipeline;

import io.scanstream.core.artifact.BackboneRef;
import io.scanstream.core.artifact.ModelMetadata;
import io.scanstream.inference.config.InferenceConfig;
import io.scanstream.inference.domain.BackboneLibrary;
import io.scanstream.inference.domain.ExplanationBackbones;
import io.scanstream.inference.domain.Explanations;
import io.scanstream.inference.domain.ModelVersions;
import io.scanstream.inference.metrics.ExplanationMetrics;
import io.scanstream.inference.metrics.NativeHeapMetrics;
import io.scanstream.model.backbone.BackboneEngine;
import io.scanstream.model.backbone.BackboneSpec;
import io.scanstream.model.backbone.DifferentiableBackbone;
import io.scanstream.model.backbone.FeatureExtractors;
import io.scanstream.service.memory.QuietTrim;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Grad-CAM explanations of the version in service ({@code POST /explanations}): wired to the networks in service,
 * the output guard's withdrawals and the meters; the backbones from the same sources as serving (the configured
 * bootstrap file, published backbones from the library), always on PyTorch. Its releaser thread also hands the native
 * memory that explanations and swaps free back to the system once they are quiet ({@link QuietTrim}).
 */
@Singleton // one releaser thread, shut down by the disposer of the same instance
public class ExplanationProducer {

    private static final Logger LOG = Logger.getLogger(ExplanationProducer.class);

    /** How often the PyTorch copies are checked against the version in service (and released when stale). */
    static final Duration RELEASE_CHECK = Duration.ofSeconds(10);

    private final ScheduledExecutorService releaser = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "native-memory-releaser");
        thread.setDaemon(true);
        return thread;
    });

    @Produces
    @Singleton
    @Startup // the releaser runs from start-up: swaps free native memory whether anyone asks for explanations or not
    Explanations explanations(InferenceConfig config, ModelVersions versions, BackboneLibrary library,
                              InferencePipeline pipeline, ExplanationMetrics metrics,
                              NativeHeapMetrics heapMetrics) {
        QuietTrim trim = QuietTrim.ofNativeHeap(config.memory().quietBeforeTrim());
        Explanations.Observer observer = new Explanations.Observer() {
            @Override
            public void finished(String outcome, long nanos) {
                metrics.finished(outcome, nanos);
            }

            @Override
            public void freedNativeMemory() {
                trim.freed(); // its activations went back to glibc, which keeps them
            }
        };
        Explanations explanations = new Explanations(versions, version -> pipeline.guard().withdrawn(version),
                new PyTorchBackbones(config, library), observer);
        AtomicReference<String> lastBackbone = new AtomicReference<>(versions.currentBackbone().backboneId());
        // a version change releases the copies even if nobody asks for an explanation again
        releaser.scheduleWithFixedDelay(() -> {
            try {
                explanations.releaseIfStale();
                String backbone = versions.currentBackbone().backboneId();
                if (!backbone.equals(lastBackbone.getAndSet(backbone))) {
                    trim.freed(); // a swap closed the old backbone (and the releaser its PyTorch copy)
                }
                long start = System.nanoTime();
                trim.trimIfQuiet().ifPresent(report -> {
                    heapMetrics.trimmed();
                    LOG.infof("inference.native-heap.trimmed took=%dms \"%s\"", (System.nanoTime() - start) / 1_000_000,
                            report);
                });
            } catch (RuntimeException e) {
                LOG.warnf("explanation.release-failed reason=\"%s\"", e.getMessage());
            }
        }, RELEASE_CHECK.toMillis(), RELEASE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        return explanations;
    }

    void close(@Disposes Explanations explanations) {
        releaser.shutdownNow();
        explanations.close();
    }

    /** The version's backbone as the Java-built block on PyTorch, whatever engine serves it. */
    static final class PyTorchBackbones implements ExplanationBackbones {

        private final BackboneSpec bootstrap;
        private final long seed;
        private final BackboneLibrary library;

        PyTorchBackbones(InferenceConfig config, BackboneLibrary library) {
            this.bootstrap = ConfiguredBackbones.bootstrapSpec(config).withEngine(BackboneEngine.PYTORCH);
            this.seed = config.model().seed();
            this.library = library;
        }

        @Override
        public DifferentiableBackbone load(ModelMetadata version) throws IOException {
            BackboneRef ref = version.backbone();
            if (ref == null || ref.source() == BackboneRef.Source.BOOTSTRAP) {
                return FeatureExtractors.differentiable(bootstrap, seed);
            }
            if (!(library.status(ref.id()) instanceof BackboneLibrary.Ready ready)) {
                throw new IllegalStateException("published backbone " + ref.id() + " is not in the library ("
                        + library.status(ref.id()) + ")");
            }
            // An int8 version is explained through the float weights it was quantised from (autograd needs them).
            return FeatureExtractors.differentiable(ConfiguredBackbones.publishedSpec(ready.manifest(),
                    ready.weights(), BackboneEngine.PYTORCH), seed);
        }
    }
}
