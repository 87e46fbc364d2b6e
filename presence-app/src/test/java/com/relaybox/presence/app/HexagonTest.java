package com.relaybox.presence.app;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The hexagon as the build enforces it, on the production classes of core, every adapter and the
 * app (this module sees them all): core depends on nothing outward, adapters neither on each other
 * nor on core's services, and only the app wires; the Redis connections both Redis adapters open
 * know nothing of the service. Core's enforcer ban guards its classpath; these rules guard the
 * imports in the code.
 */
@AnalyzeClasses(packages = {"com.relaybox.presence.core", "com.relaybox.presence.adapter", "com.relaybox.presence.redis",
        "com.relaybox.presence.app"},
        importOptions = {ImportOption.DoNotIncludeTests.class, HexagonTest.DoNotIncludeTestJars.class})
class HexagonTest {
    /** A module's test-jar on this classpath (the BullMQ adapter's test fixtures) holds tests too, not production code. */
    static final class DoNotIncludeTestJars implements ImportOption {
        private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar.*");

        @Override
        public boolean includes(Location location) {
            return !location.matches(TEST_JAR);
        }
    }

    private static final String CORE = "com.relaybox.presence.core..";
    private static final String CORE_SERVICE = "com.relaybox.presence.core.service..";
    private static final String ADAPTERS = "com.relaybox.presence.adapter..";
    private static final String APP = "com.relaybox.presence.app..";
    private static final String GUICE = "com.google.inject..";

    @ArchTest
    static final ArchRule coreDependsOnNothingOutward = noClasses().that().resideInAPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS, APP, "com.relaybox.presence.bench..",
                    "com.rabbitmq..", "redis.clients..", "org.jdbi..", "org.postgresql..", GUICE, "com.zaxxer..",
                    "io.netty..")
            .because("core is the pure domain: I/O and wiring belong in an adapter or in the app");

    @ArchTest
    static final ArchRule adaptersDoNotKnowEachOther = slices().matching("com.relaybox.presence.adapter.(*)..")
            .should().notDependOnEachOther()
            .because("each adapter plugs into core's ports alone; the app puts them together");

    @ArchTest
    static final ArchRule redisConnectionsKnowNothingOfTheService = noClasses()
            .that().resideInAPackage("com.relaybox.presence.redis..")
            .should().dependOnClassesThat().resideInAnyPackage(CORE, ADAPTERS, APP)
            .because("where the Redis primary is and how to reach it is plumbing the adapters share, not a port");

    @ArchTest
    static final ArchRule adaptersUseCoreThroughItsPorts = noClasses().that().resideInAPackage(ADAPTERS)
            .should().dependOnClassesThat().resideInAPackage(CORE_SERVICE)
            .because("an adapter sees core's ports, domain and JSON; the app gives it the services it drives");

    @ArchTest
    static final ArchRule onlyTheAppWires = noClasses().that().resideOutsideOfPackage(APP)
            .should().dependOnClassesThat().resideInAPackage(GUICE)
            .because("core and the adapters are plain constructors; Guice modules live in the app");

    @ArchTest
    static final ArchRule portsAndDomainKnowNoService = noClasses()
            .that().resideInAnyPackage("com.relaybox.presence.core.port..", "com.relaybox.presence.core.domain..")
            .should().dependOnClassesThat().resideInAPackage(CORE_SERVICE)
            .because("the services implement the ports; the ports and the domain come first");
}
