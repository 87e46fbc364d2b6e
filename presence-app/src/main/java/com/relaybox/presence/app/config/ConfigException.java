package com.relaybox.presence.app.config;

/**
 * A configuration mistake: the service stops at start with exit code 2 and this one line. The
 * message never holds a secret's value.
 */
public final class ConfigException extends RuntimeException {
    private final String variable;
    private final String problem;

    public ConfigException(String variable, String problem) {
        super(variable + ": " + problem, null, false, false);
        this.variable = variable;
        this.problem = problem;
    }

    /** The variable (or variables, comma-separated) at fault, or the file and line for a bad {@code .env}. */
    public String variable() {
        return variable;
    }

    public String problem() {
        return problem;
    }
}
