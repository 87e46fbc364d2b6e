# The presence service as an image: the shaded jar on a Java 17 runtime, as a non-root user.
#   docker build -t presence .
#   docker run -e PRESENCE_API_TOKEN=... -e REDIS_HOST=... -e RABBIT_MQ_CONNECTION_STRING=... \
#              -e DB_HOST=... -e DB_NAME=... -e DB_USER=... -p 4004:4004 presence
#   docker run ... presence dlq list        (the arguments go to the jar)
# DockerfileIT runs the jar with this file's ENTRYPOINT, CMD and ENV and runs its HEALTHCHECK.

# Build stage: the README's build command, from the sources alone.
FROM maven:3.8-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# curl for the health check; nothing else is added to the runtime image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin presence
WORKDIR /opt/presence
COPY --from=build /src/presence-app/target/presence-app.jar /opt/presence/presence-app.jar
USER 10001:10001
# Reachable from outside the container, so PRESENCE_API_TOKEN must be given (the service refuses
# to open /v1 to the network without one).
ENV PRESENCE_HTTP_HOST=0.0.0.0 \
    PRESENCE_HTTP_PORT=4004
EXPOSE 4004
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:4004/health/ready || exit 1
# The README's start command (see its "JVM settings"): a small fixed heap, G1, and an
# out-of-memory error ends the process (the orchestrator restarts it) instead of leaving it half
# alive.
ENTRYPOINT ["java", "-Xms192m", "-Xmx192m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", \
            "-jar", "/opt/presence/presence-app.jar"]
CMD []
