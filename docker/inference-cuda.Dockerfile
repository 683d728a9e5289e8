# inference-service on NVIDIA GPUs (CUDA 12.4, libtorch 2.5.1 via DJL 0.33 — the cuda Maven profile).
# Build from the repository root:
#   ./mvnw -B -Pcuda -DskipTests -pl inference-service -am package
#   docker build -f docker/inference-cuda.Dockerfile -t scanstream/inference-service:cuda .
# Run with the NVIDIA container runtime (Kubernetes: the gpu overlay requests nvidia.com/gpu).
FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04

RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 185 --home-dir /deployments --create-home scanstream

# glibc keeps libtorch's freed host-side tensors for the next batch (io.scanstream.local.NativeAllocator says why).
ENV DJL_CACHE_DIR=/deployments/.djl \
    GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=2147483648 \
    QUARKUS_HTTP_PORT=8082

COPY --chown=185 inference-service/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 inference-service/target/quarkus-app/*.jar /deployments/
COPY --chown=185 inference-service/target/quarkus-app/app/ /deployments/app/
COPY --chown=185 inference-service/target/quarkus-app/quarkus/ /deployments/quarkus/

USER 185
WORKDIR /deployments
EXPOSE 8082
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS "http://localhost:${QUARKUS_HTTP_PORT}/q/health/ready" || exit 1
ENTRYPOINT [ "java", "-XX:+ExitOnOutOfMemoryError", "-Dquarkus.http.host=0.0.0.0", "-Dai.djl.offline=true", \
  "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", "/deployments/quarkus-run.jar" ]
