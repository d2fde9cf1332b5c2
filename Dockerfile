# One image for every service: `meshpipe service ingest|processor|packager|gateway`.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# Only the runnable jar and what it needs: deploy-test (which runs this image) stays out of it.
RUN ./mvnw -B -q -DskipTests -pl standalone -am package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/standalone/target/meshpipe.jar /app/meshpipe.jar
ENV MESHPIPE_STATE_DIR=/var/lib/meshpipe/state
VOLUME /var/lib/meshpipe
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/meshpipe.jar"]
CMD ["service", "gateway"]
