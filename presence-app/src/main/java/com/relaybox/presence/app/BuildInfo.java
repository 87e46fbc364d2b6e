package com.relaybox.presence.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Who this jar is: its version and the git commit it was built from, as the build wrote them
 * into {@code presence-build.properties}. A build outside a git checkout, or classes run without
 * the build's resources, say "unknown".
 */
public record BuildInfo(String version, String commit) {
    static final String UNKNOWN = "unknown";
    private static final String RESOURCE = "/presence-build.properties";

    public static BuildInfo current() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return new BuildInfo(known(properties.getProperty("version")), known(properties.getProperty("commit")));
    }

    /** A value the build filled in; an empty one or a placeholder left as it was is unknown. */
    private static String known(String value) {
        return value == null || value.isBlank() || value.contains("${") ? UNKNOWN : value.strip();
    }
}
