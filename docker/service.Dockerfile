# ScanStream service image, JVM mode, from the Quarkus fast-jar layout.
# Build from the repository root after `./mvnw -B -DskipTests package`:
#   docker build -f docker/service.Dockerfile --build-arg SERVICE=ingest-service -t scanstream/ingest-service .
# (SERVICE = ingest-service | inference-service | training-service | review-service)
FROM registry.access.redhat.com/ubi9/openjdk-17-runtime:1.21

ARG SERVICE
ARG PORT=8080
# Health and metrics (the management interface, no token).
ARG MANAGEMENT_PORT=9000
ENV LANGUAGE='en_US:en' \
    JAVA_APP_JAR=/deployments/quarkus-run.jar \
    JAVA_OPTS_APPEND="-XX:+ExitOnOutOfMemoryError -Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager" \
    # libtorch (inference, training) unpacks here on first start; never downloaded (offline).
    DJL_CACHE_DIR=/deployments/.djl \
    # glibc keeps libtorch's freed activations for the next batch (io.scanstream.local.NativeAllocator says why).
    GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=2147483648 \
    QUARKUS_HTTP_PORT=${PORT} \
    QUARKUS_MANAGEMENT_PORT=${MANAGEMENT_PORT}

# Fonts: training-service draws its report plots (XChart, headless AWT) and needs fontconfig and a font.
USER root
RUN microdnf install -y --nodocs fontconfig dejavu-sans-fonts && microdnf clean all

# Layers from least to most often changed: dependencies, then the app.
COPY --chown=185 ${SERVICE}/target/quarkus-app/lib/ /deployments/lib/
COPY --chown=185 ${SERVICE}/target/quarkus-app/*.jar /deployments/
COPY --chown=185 ${SERVICE}/target/quarkus-app/app/ /deployments/app/
COPY --chown=185 ${SERVICE}/target/quarkus-app/quarkus/ /deployments/quarkus/

# Non-root (the base image's user 185).
USER 185
EXPOSE ${PORT} ${MANAGEMENT_PORT}
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://localhost:${QUARKUS_MANAGEMENT_PORT}/q/health/ready" || exit 1
ENTRYPOINT [ "/opt/jboss/container/java/run/run-java.sh" ]
